package g031

import (
	"context"
	"encoding/json"
)

// Source is the JSON Find decodes.
var Source []byte

func Find(ctx context.Context, p TParams) (*N2, error) {
	var r N2
	if err := json.Unmarshal(Source, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
