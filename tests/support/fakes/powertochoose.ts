// A local stand-in for powertochoose.org's CSV export endpoint (GET /en-us/Plan/ExportToCsv), with
// ETag / If-None-Match revalidation as a CDN in front of it answers, and its failure modes:
//   /en-us/Plan/ExportToCsv[?any]   the export given at start (200, ETag; 304 when it matches)
//   /down                           503 Service Unavailable (maintenance page)
//   /slow?ms=N                      the export, after N ms
//   /html                           an HTML page with status 200 (what a captive portal or error page looks like)
import { type FakeServer, startFakeServer } from "../harness.ts";

export interface PowerToChooseFake extends FakeServer {
  /** The export URL; add a query string to give each test its own cache key. */
  exportUrl(tag?: string): string;
  setExport(csv: string): void;
}

async function etagOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return `"${[...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

export function startPowerToChooseFake(initialCsv: string): PowerToChooseFake {
  let csv = initialCsv;
  const server = startFakeServer(async (request) => {
    const url = new URL(request.path, "http://fake");
    if (url.pathname === "/down") {
      return new Response("<html><body>Down for maintenance</body></html>", {
        status: 503,
        headers: { "content-type": "text/html", "retry-after": "120" },
      });
    }
    if (url.pathname === "/html") {
      return new Response("<!DOCTYPE html><html><body>Power to Choose</body></html>", {
        headers: { "content-type": "text/html" },
      });
    }
    if (url.pathname === "/slow") {
      await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get("ms") ?? "2000")));
    } else if (url.pathname !== "/en-us/Plan/ExportToCsv") {
      return new Response("not found", { status: 404 });
    }
    const etag = await etagOf(csv);
    if (request.headers.get("if-none-match") === etag) {
      return new Response(null, { status: 304, headers: { etag } });
    }
    return new Response(csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": 'attachment; filename="power-to-choose-offers.csv"',
        etag,
      },
    });
  });
  return {
    ...server,
    exportUrl: (tag = crypto.randomUUID()) => `${server.url}/en-us/Plan/ExportToCsv?t=${tag}`,
    setExport: (next) => {
      csv = next;
    },
  };
}
