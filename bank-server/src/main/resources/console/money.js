'use strict';
/*
 * Money in the console: integer cents on the wire, "1,234.56" on screen. Parsing and formatting work on digit
 * strings and BigInt only, never on floating point (0.1 + 0.2 is not 0.3, and 19.99 * 100 is 1998.9999999999998).
 * A plain script that also runs under node, for a quick check outside the browser.
 */
const BankMoney = (() => {
  /** 1000, 1,000, 1,000.5, 1000.55, .50 — thousands commas only in groups of three. */
  const AMOUNT = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/;
  const MAX = BigInt(Number.MAX_SAFE_INTEGER);

  /** What the user typed → {ok: true, cents} or {ok: false, message}: a positive amount of whole cents. */
  function parseCents(text) {
    const typed = String(text ?? '').trim();
    if (typed === '') return { ok: false, message: 'enter an amount, like 200 or 19.99' };
    if (/^[-−]/.test(typed)) return { ok: false, message: 'the amount must be positive' };
    const m = AMOUNT.exec(typed);
    if (!m || (m[1] === '' && !m[2])) {
      return { ok: false, message: 'use digits, one decimal point and thousands commas, like 1,000.00' };
    }
    const decimals = m[2] ?? '';
    if (decimals.length > 2) return { ok: false, message: 'at most two decimals: the bank counts whole cents' };
    const whole = (m[1] || '0').replace(/,/g, '');
    const cents = BigInt(whole) * 100n + BigInt(decimals.padEnd(2, '0'));
    if (cents === 0n) return { ok: false, message: 'the amount must be more than zero' };
    if (cents > MAX) return { ok: false, message: 'the amount is too large' };
    return { ok: true, cents: Number(cents) };
  }

  /** Integer cents (number or BigInt) → "-1,234.56". */
  function formatCents(cents) {
    if (cents === null || cents === undefined || cents === '') return '';
    let value;
    try {
      value = BigInt(cents);
    } catch (e) {
      return String(cents);
    }
    const negative = value < 0n;
    const digits = (negative ? -value : value).toString().padStart(3, '0');
    const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return (negative ? '-' : '') + whole + '.' + digits.slice(-2);
  }

  return { parseCents, formatCents };
})();

if (typeof module !== 'undefined' && module.exports) module.exports = BankMoney;
