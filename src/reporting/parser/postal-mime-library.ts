// The one module that imports postal-mime. The parser require()s it only when a mail needs it (loading postal-mime
// takes about 15 ms); importing it statically here lets bundlers take postal-mime's smaller ES module build.
import PostalMime, { addressParser } from 'postal-mime';

export { addressParser, PostalMime };
