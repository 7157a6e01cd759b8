// Package spelling finds the known name closest to a mistyped one, for the
// "did you mean" of error messages.
package spelling

// Distance is the Levenshtein distance between a and b in bytes. Strings
// longer than 64 bytes are never close: it returns a large number for them
// without comparing, so hostile input cannot make a check quadratic.
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
