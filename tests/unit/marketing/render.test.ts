import assert from "node:assert/strict";
import { HttpError } from "../../../shared/errors.ts";
import { checkData, checkTemplate, renderTemplate, trackLinks } from "../../../shared/marketing/render.ts";

const base = { variables: ["offer", "plans"] };

Deno.test("HTML output is escaped by default; subject and text are not HTML", async () => {
  const rendered = await renderTemplate(
    { ...base, subject: "Hi {{ offer }}", bodyHtml: "<p>{{ offer }}</p>", bodyText: "{{ offer }}" },
    { offer: `<script>alert("x")</script> & more` },
  );
  assert.equal(rendered.html, "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more</p>");
  assert.equal(rendered.text, `<script>alert("x")</script> & more`);
  assert.equal(rendered.subject, `Hi <script>alert("x")</script> & more`);
});

Deno.test("a subject stays one header line", async () => {
  const rendered = await renderTemplate(
    { ...base, subject: "A {{ offer }}", bodyHtml: "x", bodyText: "x" },
    { offer: "line\r\nBcc: victim@example.com" },
  );
  assert.equal(rendered.subject, "A line Bcc: victim@example.com");
});

Deno.test("rendering is strict: an unknown variable or filter is an error, not an empty string", async () => {
  await assert.rejects(
    renderTemplate({ ...base, subject: "{{ missing }}", bodyHtml: "x", bodyText: "x" }, {}),
  );
  await assert.rejects(
    renderTemplate({ ...base, subject: "{{ offer | shell }}", bodyHtml: "x", bodyText: "x" }, { offer: 1 }),
  );
});

Deno.test("templates cannot reach the filesystem or run code", async () => {
  await assert.rejects(
    renderTemplate({ ...base, subject: "s", bodyHtml: "{% include '/etc/passwd' %}", bodyText: "x" }, {}),
  );
  await assert.rejects(
    renderTemplate({ ...base, subject: "s", bodyHtml: "{% render 'deno.json' %}", bodyText: "x" }, {}),
  );
  // Own properties only: nothing from the prototype chain (constructor, __proto__) is reachable.
  await assert.rejects(
    renderTemplate({ ...base, subject: "s", bodyHtml: "[{{ offer.constructor }}]", bodyText: "x" }, {
      offer: {},
    }),
    /undefined variable: offer.constructor/,
  );
});

Deno.test("checkTemplate names every undeclared variable and syntax error", () => {
  try {
    checkTemplate({
      subject: "{{ subscriber.name }} {{ secret }}",
      bodyHtml: "{% if offer %}{{ links.unsubscribe }}",
      bodyText: "{{ plans | size }} {{ other.x }}",
      variables: ["offer", "plans"],
    });
    assert.fail("expected a 422");
  } catch (error) {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 422);
    assert.deepEqual(error.details.map((d) => [d.path, d.code]), [
      ["subject", "unknown_variable"],
      ["bodyHtml", "template_syntax"],
      ["bodyText", "unknown_variable"],
    ]);
  }
  checkTemplate({
    subject: "{{ list.name }}",
    bodyHtml: "{{ offer }}",
    bodyText: "{{ plans }}",
    variables: ["offer", "plans"],
  });
});

Deno.test("checkData refuses undeclared and oversized variables", () => {
  assert.throws(() => checkData(["offer"], { offer: "ok", extra: 1 }), (e: HttpError) => e.status === 422);
  assert.throws(
    () => checkData(["offer"], { offer: "x".repeat(6000) }),
    (e: HttpError) => e.details[0].code === "too_large",
  );
  assert.throws(
    () => checkData(["offer"], { offer: Array.from({ length: 20 }, () => "y".repeat(4000)) }),
    (e: HttpError) => e.status === 422,
  );
  checkData(["offer"], { offer: { nested: "fine" } });
});

Deno.test("trackLinks rewrites outside links, keeps our own, and remembers the originals", () => {
  const { html, links } = trackLinks(
    `<a href="https://shop.example/?a=1&amp;b=2">shop</a> <a class="x" href="https://mk.test/unsubscribe?t=1">u</a>` +
      ` <a href="mailto:x@y.z">m</a> <a href="http://plain.example">p</a>`,
    "https://mk.test",
    (position) => `https://mk.test/c/${position}`,
  );
  assert.deepEqual(links, ["https://shop.example/?a=1&b=2", "http://plain.example"]);
  assert.equal(
    html,
    `<a href="https://mk.test/c/0">shop</a> <a class="x" href="https://mk.test/unsubscribe?t=1">u</a>` +
      ` <a href="mailto:x@y.z">m</a> <a href="https://mk.test/c/1">p</a>`,
  );
});
