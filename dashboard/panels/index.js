// The dashboard's panels, in page order. A panel is one module exporting
//   { id, title, topics: [private broadcast topics], mount(element, { call, Chart }) }
// where mount returns { refresh(): Promise<"ok" | "denied">, onBroadcast(topic, event, payload), destroy() }.
// Commerce and vending panels are added here when those modules land.
import leads from "./leads.js";
import tracking from "./tracking.js";

export const panels = [leads, tracking];
