/**
 * The JAAS text of `sasl.jaas.config` (Kafka's JaasConfig): one login module, a control flag and
 * options, ended by a semicolon:
 *
 *   org.apache.kafka.common.security.plain.PlainLoginModule required
 *     username="admin" password="admin-secret" user_alice="alice-secret";
 *
 * A broker uses only the options: PLAIN's `user_<name>="<password>"` entries are its user list,
 * OAUTHBEARER's `unsecuredValidator*` options configure the unsecured token validator.
 */
import { ConfigError } from '../config/parse.js';

export interface JaasEntry {
  readonly loginModule: string;
  readonly flag: string;
  readonly options: ReadonlyMap<string, string>;
}

const FLAGS = ['required', 'requisite', 'sufficient', 'optional'];

/** Splits JAAS text into tokens: words, quoted strings (with \\ escapes), `=` and `;`. */
function tokens(text: string): { kind: 'word' | 'quoted' | '=' | ';'; value: string }[] {
  const out: { kind: 'word' | 'quoted' | '=' | ';'; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) i++;
    else if (c === '=' || c === ';') {
      out.push({ kind: c, value: c });
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      if (i >= text.length) throw new Error('unterminated quoted value');
      i++;
      out.push({ kind: 'quoted', value });
    } else {
      let value = '';
      while (i < text.length && !/[\s=;"']/.test(text[i])) value += text[i++];
      out.push({ kind: 'word', value });
    }
  }
  return out;
}

/** Parses `text` (the value of `key`, named in errors); Kafka allows exactly one login module. */
export function parseJaasConfig(key: string, text: string): JaasEntry {
  const invalid = (why: string) => new ConfigError(`Invalid value for configuration ${key}: ${why}`);
  let toks: ReturnType<typeof tokens>;
  try {
    toks = tokens(text);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  const entries: JaasEntry[] = [];
  let i = 0;
  while (i < toks.length) {
    const module = toks[i++];
    const flag = toks[i++];
    if (module?.kind !== 'word') throw invalid('expected a login module class name');
    if (flag?.kind !== 'word' || !FLAGS.includes(flag.value.toLowerCase())) throw invalid(`expected a control flag (${FLAGS.join(', ')}) after ${module.value}`);
    const options = new Map<string, string>();
    while (i < toks.length && toks[i].kind !== ';') {
      const [k, eq, v] = [toks[i], toks[i + 1], toks[i + 2]];
      if (k.kind !== 'word' || eq?.kind !== '=' || (v?.kind !== 'word' && v?.kind !== 'quoted')) throw invalid(`expected option=value in the options of ${module.value}`);
      options.set(k.value, v.value);
      i += 3;
    }
    if (toks[i]?.kind !== ';') throw invalid('a login module entry must end with a semicolon');
    i++;
    entries.push({ loginModule: module.value, flag: flag.value.toLowerCase(), options });
  }
  if (entries.length !== 1) throw invalid(`JAAS config property contains ${entries.length} login modules, should be 1 module`);
  return entries[0];
}
