import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { invalid } from "../core/errors.js";
import { HttpError } from "./http-errors.js";

/**
 * The security model of the web face. The API runs arbitrary shell commands, so:
 * - it binds to loopback unless an access token is set (checked in `checkBind`);
 * - with a token, every request needs it: `Authorization: Bearer T`, or the cookie that visiting
 *   `/?token=T` once sets (HttpOnly, SameSite=Strict), so a browser can use the dashboard;
 * - without a token, the Host header must name a loopback address: a page on another site that
 *   re-points its DNS name to 127.0.0.1 (DNS rebinding) is refused;
 * - state-changing requests must be same-origin (Origin, Sec-Fetch-Site) and JSON, which a
 *   cross-site form cannot send without a CORS preflight we never answer;
 * - every response carries a strict CSP (no inline script) and nosniff / no framing.
 */

export const TOKEN_COOKIE = "queuectl_token";
export const MIN_TOKEN_LENGTH = 16;

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (bare === "::1" || bare === "0:0:0:0:0:0:0:1") return true;
  if (bare.startsWith("::ffff:")) return bare.slice(7).startsWith("127.");
  return false;
}

/** Refuses to serve on a non-loopback address without a token, and refuses weak tokens. */
export function checkBind(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw invalid(`token: must be at least ${MIN_TOKEN_LENGTH} characters`, {
      token: `at least ${MIN_TOKEN_LENGTH} characters`,
    });
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw invalid(
      `host: ${host} is not a loopback address; anyone who can reach it could run shell commands. ` +
        "Set an access token (--token or QUEUECTL_TOKEN) to serve on it",
      { host: "non-loopback address needs a token" },
    );
  }
}

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

/** Constant-time comparison (hashing first makes the lengths equal). */
function sameToken(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function presentedToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    return match?.[1] ?? "";
  }
  return cookieValue(request.headers.cookie, TOKEN_COOKIE);
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Same-origin check for state-changing requests. Browsers always send one of these two. */
function crossSiteReason(request: FastifyRequest): string | null {
  const site = request.headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") {
    return `Sec-Fetch-Site is ${site}`;
  }
  const origin = request.headers.origin;
  if (origin !== undefined) {
    // Compare as URLs so "localhost:80" and "http://localhost" (default port dropped) agree.
    let same: boolean;
    try {
      same = new URL(origin).host === new URL(`http://${request.headers.host ?? ""}`).host;
    } catch {
      same = false;
    }
    if (!same) return `Origin ${origin} is not this server`;
  }
  return null;
}

function isJson(request: FastifyRequest): boolean {
  const type = request.headers["content-type"];
  return typeof type === "string" && /^application\/json\s*(;|$)/i.test(type);
}

export interface SecurityOptions {
  token?: string;
}

export function installSecurity(app: FastifyInstance, options: SecurityOptions): void {
  const expected = options.token === undefined ? undefined : digest(options.token);

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    setSecurityHeaders(reply);
    const hostHeader = request.headers.host ?? "";
    const hostname = hostHeader.replace(/:\d+$/, "");

    if (expected === undefined) {
      // No token: only loopback names may address us (defeats DNS rebinding).
      if (!isLoopbackHost(hostname))
        throw new HttpError(403, `Host ${hostHeader} is not a loopback name; use 127.0.0.1 or localhost`);
    } else {
      const url = new URL(request.url, "http://x");
      const fromQuery = url.pathname === "/" ? url.searchParams.get("token") : null;
      if (fromQuery !== null && request.method === "GET") {
        if (!sameToken(fromQuery, expected)) throw new HttpError(401, "wrong token");
        // Trade the token in the URL for a cookie, then drop it from the address bar and history.
        const secure = request.protocol === "https" ? "; Secure" : "";
        void reply
          .header(
            "set-cookie",
            `${TOKEN_COOKIE}=${encodeURIComponent(fromQuery)}; Path=/; HttpOnly; SameSite=Strict${secure}`,
          )
          .redirect("/", 303);
        return reply;
      }
      const given = presentedToken(request);
      if (given === undefined)
        throw new HttpError(401, "token required: send Authorization: Bearer TOKEN, or open /?token=TOKEN once");
      if (!sameToken(given, expected)) throw new HttpError(401, "wrong token");
    }

    if (STATE_CHANGING.has(request.method)) {
      const reason = crossSiteReason(request);
      if (reason !== null) throw new HttpError(403, `cross-site request refused (${reason})`);
      if (!isJson(request)) throw new HttpError(415, "Content-Type must be application/json");
    }
    return undefined;
  });
}

export function setSecurityHeaders(reply: FastifyReply): void {
  void reply
    .header("content-security-policy", CSP)
    .header("x-content-type-options", "nosniff")
    .header("x-frame-options", "DENY")
    .header("referrer-policy", "no-referrer")
    .header("cross-origin-opener-policy", "same-origin")
    .header("cross-origin-resource-policy", "same-origin");
}

/** The same headers for hijacked (streaming) responses, which bypass Fastify's reply. */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};
