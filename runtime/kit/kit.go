// Package kit is for generated code only: it holds the codecs, conversions,
// validation helpers and unions that files written by reftaskgen call.
// Its API may change between versions; the generated file's
// SupportPackageIsVersion assertion catches a mismatch at compile time.
// Code written by hand should import package runtime instead.
package kit

// SupportPackageIsVersion1 is referenced by every generated file, so that a
// file generated for another version of this package fails to compile with
// an error naming this constant instead of calling a helper that changed.
// A later incompatible kit renames it (SupportPackageIsVersion2, ...).
const SupportPackageIsVersion1 = true
