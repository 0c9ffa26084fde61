package mixed

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Money is an amount in cents, written in JSON as a decimal string ("12.50");
// the specs use it through x-go-type.
type Money int64

// MarshalJSON writes the amount as a decimal string.
func (m Money) MarshalJSON() ([]byte, error) {
	return json.Marshal(fmt.Sprintf("%d.%02d", m/100, m%100))
}

// UnmarshalJSON reads a decimal string with at most two fraction digits.
func (m *Money) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("money: %w", err)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("money: %w", err)
	}
	*m = Money(f*100 + 0.5)
	return nil
}
