/**
 * The principal of a TLS client certificate (Kafka's DefaultKafkaPrincipalBuilder with
 * SslPrincipalMapper): the certificate subject's distinguished name, written as Java writes it
 * (RFC 2253: most specific part first, "CN=alice,OU=Engineering,O=Tafka"), put through
 * `ssl.principal.mapping.rules`:
 *
 *   RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1/L, DEFAULT
 *
 * Each RULE is a regular expression that must match the whole DN, a replacement (with $1...), and an
 * optional L or U to lower- or upper-case the result; DEFAULT keeps the DN as it is. The first rule
 * that matches wins; when none does, authentication fails. A client without a certificate is
 * User:ANONYMOUS.
 */
import type { X509Certificate } from 'node:crypto';
import { ConfigError } from '../config/parse.js';

type Rule = { kind: 'default' } | { kind: 'rule'; pattern: RegExp; whole: RegExp; replacement: string; upper: boolean; lower: boolean };

const RULE = String.raw`(DEFAULT)|RULE:((?:\\.|[^\\/])*)/((?:\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const SPLITTER = new RegExp(String.raw`\s*(${RULE})\s*(?:,\s*|$)`, 'gy');
const PARSER = new RegExp(`^(?:${RULE})$`);

export class SslPrincipalMapper {
  private constructor(private readonly rules: readonly Rule[]) {}

  /** Parses the rules; a malformed one stops start-up (Kafka: "Invalid rule"). */
  static fromRules(text: string): SslPrincipalMapper {
    const source = text.trim();
    const rules: Rule[] = [];
    SPLITTER.lastIndex = 0;
    let m: RegExpExecArray | null;
    while (SPLITTER.lastIndex < source.length && (m = SPLITTER.exec(source)) !== null) {
      const rule = m[1];
      if (rule === '' && m[0] === '') break;
      const p = PARSER.exec(rule);
      if (!p) throw new ConfigError(`Invalid value for configuration ssl.principal.mapping.rules: Invalid rule: ${rule}`);
      if (p[1] !== undefined) rules.push({ kind: 'default' });
      else if (p[2] !== undefined) {
        let pattern: RegExp;
        try {
          pattern = new RegExp(p[2], 'g');
        } catch (err) {
          throw new ConfigError(`Invalid value for configuration ssl.principal.mapping.rules: ${(err as Error).message}`);
        }
        rules.push({ kind: 'rule', pattern, whole: new RegExp(`^(?:${p[2]})$`), replacement: p[3], lower: p[4] === 'L', upper: p[4] === 'U' });
      } else if (p[5] !== undefined && p[5].trim() !== '') {
        throw new ConfigError(`Invalid value for configuration ssl.principal.mapping.rules: Invalid rule: ${rule}`);
      }
    }
    return new SslPrincipalMapper(rules);
  }

  /** The principal name for a DN, or undefined when no rule applies. */
  nameOf(dn: string): string | undefined {
    for (const r of this.rules) {
      if (r.kind === 'default') return dn;
      if (!r.whole.test(dn)) continue;
      const name = dn.replace(r.pattern, r.replacement);
      return r.lower ? name.toLowerCase() : r.upper ? name.toUpperCase() : name;
    }
    return undefined;
  }
}

/**
 * A certificate's subject as Java's X500Principal.getName() writes it: Node lists the RDNs one a
 * line in certificate order (already RFC 2253-escaped); Java writes them reversed, comma separated.
 */
export function distinguishedName(cert: X509Certificate): string {
  return cert.subject.split('\n').filter((l) => l !== '').reverse().join(',');
}
