// Stands in for `http2-wrapper` where got imports it (scripts/bundle-deferrals.ts). got reaches the package
// only for its `http2: true` option, which drgitops never sets (src/client/http.ts), yet loading it
// loads node:http2 and makes a TLS socket: about 45 ms of every command's start, all of it unused.
// The real package is loaded, and its top level run, the first time got asks for either export.
"use strict";
let real;
const load = () => (real ??= require("http2-wrapper"));
module.exports = {
  get auto() {
    return load().auto;
  },
  get globalAgent() {
    return load().globalAgent;
  },
};
