package errcase

import "encoding/json"

// Point has a JSON form but no String method: fmt.Sprint would write it as {1 2}.
type Point struct{ X, Y int }

func (p Point) MarshalJSON() ([]byte, error) { return json.Marshal([2]int{p.X, p.Y}) }
func (p *Point) UnmarshalJSON(b []byte) error {
	var a [2]int
	err := json.Unmarshal(b, &a)
	p.X, p.Y = a[0], a[1]
	return err
}

// Cell has a String method: its text is what a URL shows.
type Cell struct{ Row, Col int }

func (c Cell) String() string                { return "r1c1" }
func (c Cell) MarshalText() ([]byte, error)  { return []byte(c.String()), nil }
func (c *Cell) UnmarshalText(b []byte) error { return nil }

// Level is a string type: fmt.Sprint writes its value.
type Level string

func (l Level) MarshalText() ([]byte, error)  { return []byte(l), nil }
func (l *Level) UnmarshalText(b []byte) error { *l = Level(b); return nil }
