// @ts-check
/// <reference lib="dom" />
// The live admin dashboard: signs in (Supabase Auth e-mail and password, or a dev token on the local
// stack), mounts one module per panel, feeds each from its module's function and keeps it live from
// the module's private broadcast topic. Panels a user may not read are never mounted; a user with no
// panel at all sees the no-access message and nothing else.
import { config } from "./config.js";
import { panels } from "./panels/index.js";

/** @typedef {import("./types.js").Client} Client */
/** @typedef {import("./types.js").Panel} Panel */
/** @typedef {import("./types.js").MountedPanel} MountedPanel */
/** @typedef {import("./types.js").PanelContext} PanelContext */
/** @typedef {import("@supabase/supabase-js").RealtimeChannel} RealtimeChannel */

// The browser builds of supabase-js and Chart.js (dashboard/vendor/, from their npm packages) are
// globals; their types are the same packages' (deno.json pins the same versions as install.sh).
const vendor =
  /** @type {{ supabase: typeof import("@supabase/supabase-js"), Chart: import("./types.js").ChartConstructor }} */ (
    /** @type {unknown} */ (globalThis)
  );
const { createClient } = vendor.supabase;
const projectUrl = config.supabaseUrl || location.origin;
const TOKEN_KEY = "powerbase.dashboard.token";

/** @param {string} id */
function $(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
}

/**
 * One signed-in session of the page.
 * @typedef {object} Session
 * @property {Client} client
 * @property {() => Promise<string>} getToken
 * @property {RealtimeChannel[]} channels
 * @property {Map<string, string>} channelStatus
 * @property {boolean} everConnected
 * @property {Array<{ panel: Panel, instance: MountedPanel, element: HTMLElement }>} mounted
 * @property {ReturnType<typeof setInterval>} [stateTimer]
 * @property {ReturnType<typeof setInterval>} [refreshTimer]
 */

/** @type {Session | null} */
let session = null;

/** @param {string} state @param {string} [text] */
function setConnection(state, text = state) {
  const badge = $("connection");
  badge.dataset.state = state;
  badge.textContent = text;
}

/**
 * @param {string} path
 * @param {() => Promise<string>} getToken
 * @returns {Promise<import("./types.js").Answer>}
 */
async function callFunction(path, getToken) {
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${await getToken()}` };
  if (config.anonKey) headers.apikey = config.anonKey;
  const response = await fetch(`${projectUrl}/functions/v1/${path}`, { headers });
  const body = await response.json().catch(() => null);
  return { status: response.status, body };
}

/**
 * The socket's and the channels' states folded into one badge.
 * @param {Session} current
 */
function connectionState(current) {
  if (!current.client.realtime.isConnected()) return current.everConnected ? "reconnecting" : "connecting";
  const statuses = [...current.channelStatus.values()];
  if (statuses.length > 0 && statuses.every((status) => status === "SUBSCRIBED")) return "connected";
  return current.everConnected ? "reconnecting" : "connecting";
}

/**
 * @param {Session} current
 * @param {string} topic
 * @param {Session["mounted"]} mounted
 */
function watchTopic(current, topic, mounted) {
  const channel = current.client.channel(topic, { config: { private: true } });
  channel.on("broadcast", { event: "*" }, (message) => {
    for (const { panel, instance } of mounted) {
      if (panel.topics.includes(topic)) instance.onBroadcast(topic, message.event, message.payload ?? {});
    }
  });
  channel.subscribe((status) => {
    current.channelStatus.set(topic, status);
    // Show a drop at once; the poll below only samples every 250 ms.
    if (status !== "SUBSCRIBED" && current.everConnected && session === current) {
      setConnection("reconnecting");
    }
    if (status === "SUBSCRIBED") {
      // Catch up on what happened while the channel was away (first join or a reconnect).
      for (const { panel, instance } of mounted) if (panel.topics.includes(topic)) instance.refresh();
    }
  });
  current.channels.push(channel);
}

/**
 * A topic a panel joins and leaves by itself (e.g. one per running vending batch); returns the leave
 * function. `onJoined` runs on every (re)join, for the panel to catch up on what it missed. Its status
 * counts towards the connection badge like the panels' fixed topics.
 * @param {Session} current
 * @param {string} topic
 * @param {(event: string, payload: Record<string, unknown>) => void} onMessage
 * @param {() => void} [onJoined]
 */
function watchPanelTopic(current, topic, onMessage, onJoined = () => {}) {
  const channel = current.client.channel(topic, { config: { private: true } });
  channel.on("broadcast", { event: "*" }, (message) => onMessage(message.event, message.payload ?? {}));
  channel.subscribe((status) => {
    if (session !== current || !current.channels.includes(channel)) return;
    current.channelStatus.set(topic, status);
    // What was sent before the join (or while the channel was away) is read once it is in.
    if (status === "SUBSCRIBED") onJoined();
  });
  current.channels.push(channel);
  return () => {
    current.channels = current.channels.filter((c) => c !== channel);
    current.channelStatus.delete(topic);
    current.client.removeChannel(channel);
  };
}

/** @param {{ client: Client, getToken: () => Promise<string> }} signedIn */
async function start({ client, getToken }) {
  $("sign-in").hidden = true;
  $("sign-out").hidden = false;
  setConnection("connecting");
  /** @type {Session} */
  const current = {
    client,
    getToken,
    channels: [],
    channelStatus: new Map(),
    everConnected: false,
    mounted: [],
  };
  session = current;
  /** @type {PanelContext} */
  const context = {
    call: (path) => callFunction(path, getToken),
    Chart: vendor.Chart,
    watch: (topic, onMessage, onJoined) => watchPanelTopic(current, topic, onMessage, onJoined),
  };
  for (const panel of panels) {
    const element = document.createElement("section");
    element.className = "panel";
    element.dataset.panel = panel.id;
    element.dataset.testid = `panel-${panel.id}`;
    $("panels").append(element);
    const instance = panel.mount(element, context);
    const outcome = await instance.refresh();
    if (outcome === "denied") {
      instance.destroy();
      element.remove();
      continue;
    }
    current.mounted.push({ panel, instance, element });
  }
  if (session !== current) return;
  if (current.mounted.length === 0) {
    $("no-access").hidden = false;
    setConnection("signed-in", "no access");
    await client.removeAllChannels();
    return;
  }
  const topics = [...new Set(current.mounted.flatMap(({ panel }) => panel.topics))];
  for (const topic of topics) watchTopic(current, topic, current.mounted);
  current.stateTimer = setInterval(() => {
    const state = connectionState(current);
    if (state === "connected") current.everConnected = true;
    setConnection(state);
  }, 250);
  // Belt and braces: numbers that change without a broadcast (e.g. a lead accepted) are refetched.
  current.refreshTimer = setInterval(
    () => current.mounted.forEach(({ instance }) => instance.refresh()),
    60_000,
  );
}

async function stop() {
  const current = session;
  session = null;
  sessionStorage.removeItem(TOKEN_KEY);
  if (current) {
    clearInterval(current.stateTimer);
    clearInterval(current.refreshTimer);
    current.mounted.forEach(({ instance }) => instance.destroy());
    await current.client.removeAllChannels();
    await current.client.auth.signOut?.().catch(() => {});
  }
  $("panels").replaceChildren();
  $("no-access").hidden = true;
  $("sign-in").hidden = false;
  $("sign-out").hidden = true;
  setConnection("signed-out", "signed out");
}

/** @param {string} token */
function startWithToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  // No Auth server locally: the token is both the client key and the user's access token.
  /** @type {Client} */
  const client = createClient(projectUrl, config.anonKey || token, {
    accessToken: () => Promise.resolve(token),
  });
  return start({ client, getToken: () => Promise.resolve(token) });
}

/** @param {string} email @param {string} password */
async function startWithPassword(email, password) {
  /** @type {Client} */
  const client = createClient(projectUrl, config.anonKey, { auth: { persistSession: true } });
  const { error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw error;
  const getToken = async () => (await client.auth.getSession()).data.session?.access_token ?? "";
  return start({ client, getToken });
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  const token = String(new FormData(/** @type {HTMLFormElement} */ (event.target)).get("token") ?? "").trim();
  startWithToken(token).catch((error) => ($("sign-in-error").textContent = error.message));
});

$("password-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  if (!config.anonKey) {
    $("sign-in-error").textContent = "E-mail sign-in needs the project's anon key in config.js.";
    return;
  }
  const form = new FormData(/** @type {HTMLFormElement} */ (event.target));
  startWithPassword(String(form.get("email") ?? ""), String(form.get("password") ?? ""))
    .catch((error) => ($("sign-in-error").textContent = error.message));
});

$("sign-out").addEventListener("click", () => stop());

const remembered = sessionStorage.getItem(TOKEN_KEY);
if (remembered) startWithToken(remembered);
