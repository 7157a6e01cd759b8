package planedit

import (
	"bytes"
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

// anyText tags an expected node that matches any scalar reading back as
// its Value in a string field (plain, quoted, a date, a number).
const anyText = "!planedit-text"

// expect returns the node an edit's value must read back as.
func expect(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: anyText, Value: v}
}

func key(k string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}
}

// errUnsafe says an edit would have changed more than it should; it means
// planedit misread the file's layout, and the seller should edit by hand.
var errUnsafe = errors.New("planedit: the edit would change more of the plan than the intended fields; make this change by hand")

// verify checks the contract: out keeps everything of orig's file outside
// the frontmatter, and out's frontmatter parses to orig's tree changed by
// change (applied to a copy) and nothing else.
func verify(orig *plan, out []byte, change func(root *yaml.Node) error) error {
	start, end, ok := splitFrontmatter(out)
	if !ok || !bytes.Equal(out[:start], orig.src[:orig.start]) ||
		!bytes.Equal(out[end:], orig.src[orig.start+len(orig.fm):]) {
		return errUnsafe
	}
	var got yaml.Node
	if err := yaml.Unmarshal(out[start:end], &got); err != nil {
		return fmt.Errorf("%w (%v)", errUnsafe, err)
	}
	want := clone(orig.doc)
	if err := change(want.Content[0]); err != nil {
		return err
	}
	if !same(want, &got) {
		return errUnsafe
	}
	return nil
}

func clone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = clone(k)
	}
	return &c
}

// same reports whether got has want's structure, tags and values; styles,
// positions and comments aside.
func same(want, got *yaml.Node) bool {
	if want.Tag == anyText {
		return got.Kind == yaml.ScalarNode && got.Value == want.Value && stringish(got.ShortTag()) &&
			got.Anchor == "" && got.Style&yaml.TaggedStyle == 0
	}
	if want.Kind != got.Kind || want.ShortTag() != got.ShortTag() || want.Anchor != got.Anchor ||
		len(want.Content) != len(got.Content) {
		return false
	}
	if (want.Kind == yaml.ScalarNode || want.Kind == yaml.AliasNode) && want.Value != got.Value {
		return false
	}
	for i := range want.Content {
		if !same(want.Content[i], got.Content[i]) {
			return false
		}
	}
	return true
}
