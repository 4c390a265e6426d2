/**
 * The character rule of XML 1.0, part of the LRS contract: a value holding one of these characters
 * cannot be sent at all (not even escaped), so the request schemas refuse it by field and the
 * request builder never meets one.
 */

/** Characters XML 1.0 cannot carry at all (not even escaped). */
const INVALID_XML_CHARS_SOURCE =
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
export const INVALID_XML_CHARS = new RegExp(INVALID_XML_CHARS_SOURCE);
