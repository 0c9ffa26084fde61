package g005

import (
	"context"
	"encoding/json"
)

// Source is the JSON Find decodes.
var Source []byte

func Find(ctx context.Context, p TParams) (*N1, error) {
	var r N1
	if err := json.Unmarshal(Source, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
