//go:build race

package gen_test

// The race detector enlarges every frame, so tests of stack use skip under it (make test also runs them without).
const raceEnabled = true
