package runtime

// WithRetryTimer is withRetryTimer for the tests of package runtime_test, which drive other packages of this
// module (a source kind) through the engine.
var WithRetryTimer = withRetryTimer
