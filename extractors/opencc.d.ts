/** opencc-js ships its dictionaries as ES modules without type declarations. */
declare module 'opencc-js/dict/TSCharacters' {
  /** Pairs `traditional simplified[ alternative]` separated by `|`. */
  const pairs: string;
  export default pairs;
}
