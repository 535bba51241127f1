// Stands in for `string-width` in every bundle (build.mjs). string-width
// builds an Intl.Segmenter and \p{RGI_Emoji} regular expressions when it is
// loaded: about 40 ms on every start of a program that uses yargs, which
// imports it at load but needs it only to lay out --help. Printable ASCII is
// exactly as wide as it is long; anything else is measured by string-width
// itself, loaded on first use.
let stringWidth;

module.exports = function lazyStringWidth(text, options) {
  if (typeof text === 'string' && /^[\x20-\x7e]*$/.test(text)) return text.length;
  stringWidth ??= require('string-width').default;
  return stringWidth(text, options);
};
