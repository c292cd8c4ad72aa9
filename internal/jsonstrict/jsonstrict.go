// Package jsonstrict decodes JSON the way Elasticsearch and Filebeat judge
// a log line: a duplicate key in any object is an error, and so is a dotted
// key that collides with a nested one once dots are expanded. Tests of the
// ECS format and of the examples share it.
package jsonstrict

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Object decodes one JSON object (numbers as json.Number), failing on a
// duplicate key in any object at any depth and on data after the object.
func Object(line string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	v, err := value(dec, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not an object")
	}
	return m, nil
}

func value(dec *json.Decoder, path string) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k := kt.(string)
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("duplicate key %q in object %q", k, path)
			}
			if m[k], err = value(dec, path+"/"+k); err != nil {
				return nil, err
			}
		}
		_, err := dec.Token()
		return m, err
	case json.Delim('['):
		var a []any
		for dec.More() {
			v, err := value(dec, path+"[]")
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, err
	}
	return tok, nil
}

// ExpandKeys does what Filebeat's expand_keys and Elasticsearch's dotted
// field names do: "a.b":1 becomes {"a":{"b":1}}, merged with an existing
// object "a". It fails where a value and an object claim the same path, or
// a path is set twice.
func ExpandKeys(m map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			var err error
			if v, err = ExpandKeys(sub); err != nil {
				return nil, err
			}
		}
		parts := strings.Split(k, ".")
		cur := out
		for i, p := range parts {
			existing, present := cur[p]
			if i == len(parts)-1 {
				if !present {
					cur[p] = v
					break
				}
				em, eok := existing.(map[string]any)
				vm, vok := v.(map[string]any)
				if !eok || !vok {
					return nil, fmt.Errorf("key %q: a value and another value or object at the same path", k)
				}
				for kk, vv := range vm {
					if _, dup := em[kk]; dup {
						return nil, fmt.Errorf("key %q: %q set twice", k, kk)
					}
					em[kk] = vv
				}
				break
			}
			if !present {
				n := map[string]any{}
				cur[p] = n
				cur = n
				continue
			}
			em, ok := existing.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("key %q: %q is a value and an object", k, p)
			}
			cur = em
		}
	}
	return out, nil
}
