// @ts-check
// The dashboard's panels, in page order. A panel is one module exporting
//   { id, title, topics: [private broadcast topics], mount(element, { call, Chart, watch }) }
// where mount returns { refresh(): Promise<"ok" | "denied">, onBroadcast(topic, event, payload), destroy() };
// `watch(topic, (event, payload) => ..., onJoined?)` joins a private topic the panel only learns at run
// time and returns its leave function; onJoined runs on each (re)join so the panel can catch up.
import commerce from "./commerce.js";
import leads from "./leads.js";
import tracking from "./tracking.js";
import vending from "./vending.js";

/** @type {import("../types.js").Panel[]} */
export const panels = [leads, tracking, commerce, vending];
