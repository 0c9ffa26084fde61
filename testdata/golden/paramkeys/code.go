// Package paramkeys holds the tasks of the cache key identity tests (gen/e2e_keys_test.go): every param type the
// generator supports, given to every source kind, each of which echoes what it saw.
package paramkeys

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Code is an x-go-type whose JSON text is lower-case while its String (what a URL or a file pointer shows) and
// its driver value keep the case it was given: two Codes that differ only in case are one JSON value but two
// URLs, so a key made of the JSON text alone would mix them up.
type Code struct{ Raw string }

// MarshalText writes the code in lower case.
func (c Code) MarshalText() ([]byte, error) { return []byte(strings.ToLower(c.Raw)), nil }

// UnmarshalText keeps the code as written.
func (c *Code) UnmarshalText(b []byte) error {
	c.Raw = string(b)
	return nil
}

// String returns the code as it was given.
func (c Code) String() string { return c.Raw }

// Value binds the code as it was given.
func (c Code) Value() (driver.Value, error) { return c.Raw, nil }

// EchoGo is the Go source of KeyGo: it returns the params as the function saw them, the JSON text and what each
// date-time prints, location name and monotonic reading included.
func EchoGo(_ context.Context, p KeyGoParams) (*Echo, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	seen := fmt.Sprintf("%s dt=%s code=%#v", b, p.Dt.String(), p.Code)
	if p.Odt != nil {
		seen += " odt=" + p.Odt.String()
	}
	if p.Ts != nil {
		for _, t := range *p.Ts {
			seen += " ts=" + t.String()
		}
	}
	// Date-times inside objects, arrays and maps reach the function as Go values too.
	if p.Slot != nil {
		seen += " slot.at=" + p.Slot.At.String()
		if p.Slot.Until != nil {
			seen += " slot.until=" + p.Slot.Until.String()
		}
	}
	if p.Slots != nil {
		for _, s := range *p.Slots {
			seen += " slots.at=" + s.At.String()
		}
	}
	if p.Byname != nil {
		for _, k := range slices.Sorted(maps.Keys(*p.Byname)) {
			seen += " byname." + k + "=" + (*p.Byname)[k].String()
		}
	}
	return &Echo{Seen: seen}, nil
}
