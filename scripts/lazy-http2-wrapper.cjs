// Stands in for `http2-wrapper` where got imports it: scripts/bundle-deferrals.ts says why. The real
// package is loaded, and its top level run, the first time got asks for either export.
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
