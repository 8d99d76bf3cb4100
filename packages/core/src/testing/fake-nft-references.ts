/** What a rule's text refers to: the fake checks these exist, and keeps them from deletion. */
export interface RuleReferences {
  /** Chains it jumps or goes to (also from inside an anonymous verdict map). */
  readonly chains: readonly string[];
  /** Named sets and maps it looks up (`@name`). */
  readonly sets: readonly string[];
  /** Of `sets`, those used as maps (`vmap @name`, `map @name`), which must be maps. */
  readonly maps: readonly string[];
}

// Quoted strings (interface names, comments) hold no references, and may hold blanks.
const QUOTED = /"[^"]*"/g;
const PUNCTUATION = /^[{(]+|[,;})]+$/g;

/**
 * The references in rule text, read the way knftables' fake reads them: `@name` words and
 * the word after `jump` / `goto`. Enough for the rules Loom writes; not an nft parser.
 */
export function ruleReferences(rule: string): RuleReferences {
  const words = rule
    .replace(QUOTED, '""')
    .split(/\s+/)
    .map((word) => word.replace(PUNCTUATION, ''))
    .filter((word) => word !== '');
  const chains: string[] = [];
  const sets: string[] = [];
  const maps: string[] = [];
  words.forEach((word, i) => {
    const previous = words[i - 1];
    if (word.startsWith('@') && word.length > 1) {
      sets.push(word.slice(1));
      if (previous === 'vmap' || previous === 'map') maps.push(word.slice(1));
    } else if ((previous === 'jump' || previous === 'goto') && !word.startsWith('@')) {
      chains.push(word);
    }
  });
  return { chains, sets, maps };
}
