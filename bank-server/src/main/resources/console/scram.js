'use strict';
/*
 * SCRAM-SHA-256 (RFC 5802 / RFC 7677), client side, with WebCrypto only. The password never leaves the browser:
 * the server gets a proof that we know it, and proves in turn (server_final) that it holds our verifier.
 * A plain script (no modules: CSP script-src 'self', no build step) that also runs under node 20, where
 * globalThis.crypto.subtle, btoa and atob exist, so the RFC 7677 test vector can be checked outside a browser.
 */
const BankScram = (() => {
  const encoder = new TextEncoder();
  /** Clients refuse fewer iterations (the protocol's floor) and more than a browser can do in a few seconds. */
  const MIN_ITERATIONS = 4096;
  const MAX_ITERATIONS = 10_000_000;

  function toBase64(bytes) {
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  }

  function fromBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  /** RFC 5802 saslname: '=' and ',' are the message's own syntax, so they travel as =3D and =2C. */
  function escapeUser(user) {
    return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
  }

  /** base64 of 18 random bytes: 24 printable characters, never a comma. */
  function newNonce() {
    return toBase64(crypto.getRandomValues(new Uint8Array(18)));
  }

  function clientFirst(user, nonce) {
    return 'n,,n=' + escapeUser(user) + ',r=' + nonce;
  }

  /** "r=...,s=...,i=..." into {r, s, i}; a value may itself hold '=' (base64), never ','. */
  function attributes(message) {
    const out = {};
    for (const part of message.split(',')) {
      const eq = part.indexOf('=');
      if (eq !== 1) throw new Error('malformed SCRAM message: ' + message);
      out[part[0]] = part.slice(2);
    }
    return out;
  }

  async function hmac(keyBytes, data) {
    const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const message = typeof data === 'string' ? encoder.encode(data) : data;
    return new Uint8Array(await crypto.subtle.sign('HMAC', key, message));
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  }

  async function saltedPassword(password, salt, iterations) {
    const key = await crypto.subtle.importKey('raw', encoder.encode(password.normalize('NFKC')), 'PBKDF2', false, [
      'deriveBits',
    ]);
    const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
    return new Uint8Array(bits);
  }

  /**
   * From our client-first message, the server's first message and the password: the client-final message to
   * send and the server-final message an honest server must answer with.
   */
  async function clientFinal(clientFirstMessage, serverFirstMessage, password) {
    if (!clientFirstMessage.startsWith('n,,')) throw new Error('client_first must start with n,,');
    const clientFirstBare = clientFirstMessage.slice(3);
    const clientNonce = attributes(clientFirstBare).r;
    const server = attributes(serverFirstMessage);
    if (!server.r || !server.s || !server.i) throw new Error('server_first lacks r, s or i');
    if (!server.r.startsWith(clientNonce) || server.r.length <= clientNonce.length) {
      throw new Error('the server nonce does not extend ours');
    }
    if (!/^\d{1,9}$/.test(server.i)) throw new Error('bad iteration count ' + server.i);
    const iterations = Number(server.i);
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new Error('refusing ' + iterations + ' iterations (' + MIN_ITERATIONS + ' to ' + MAX_ITERATIONS + ')');
    }
    const salted = await saltedPassword(password, fromBase64(server.s), iterations);
    const clientKey = await hmac(salted, 'Client Key');
    const storedKey = await sha256(clientKey);
    const clientFinalBare = 'c=biws,r=' + server.r;
    const authMessage = clientFirstBare + ',' + serverFirstMessage + ',' + clientFinalBare;
    const clientSignature = await hmac(storedKey, authMessage);
    const proof = clientKey.map((b, i) => b ^ clientSignature[i]);
    const serverKey = await hmac(salted, 'Server Key');
    const serverSignature = await hmac(serverKey, authMessage);
    return {
      clientFinal: clientFinalBare + ',p=' + toBase64(proof),
      serverFinal: 'v=' + toBase64(serverSignature),
    };
  }

  /** Compares without stopping at the first difference (the server's answer is public, but it costs nothing). */
  function sameText(a, b) {
    if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    return diff === 0;
  }

  return { newNonce, clientFirst, clientFinal, sameText, escapeUser };
})();

if (typeof module !== 'undefined' && module.exports) module.exports = BankScram;
