package kit

import (
	"regexp"
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// Pattern is a schema pattern compiled once, for generated validators. It matches exactly as the regexp it
// compiles to does. The usual shape of a schema pattern, an anchored run of literals and character classes each
// repeated a fixed or bounded number of times (^user_[0-9]+$), is matched by a loop over the string's runes
// rather than by the regexp engine, at a fraction of the cost.
type Pattern struct {
	re    *regexp.Regexp
	items []patternItem // nil: the pattern has another shape, and re matches it
}

// patternItem is one rune class repeated min to max times (max -1 for no bound).
type patternItem struct {
	ranges   []rune // lo, hi pairs, as in syntax.Regexp.Rune
	min, max int
}

// MustPattern compiles p as regexp.MustCompile does, and panics as it does on a pattern that does not compile;
// generated code only passes patterns that the generator has already compiled.
func MustPattern(p string) *Pattern {
	pat := &Pattern{re: regexp.MustCompile(p)}
	if re, err := syntax.Parse(p, syntax.Perl); err == nil {
		pat.items = loopItems(re)
	}
	return pat
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.re.String() }

// MatchString reports whether s matches the pattern.
func (p *Pattern) MatchString(s string) bool {
	if p.items == nil {
		return p.re.MatchString(s)
	}
	i := 0
	for _, it := range p.items {
		n := 0
		for (it.max < 0 || n < it.max) && i < len(s) {
			r, w := rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, w = utf8.DecodeRuneInString(s[i:])
			}
			if !inRanges(it.ranges, r) {
				break
			}
			i += w
			n++
		}
		if n < it.min {
			return false
		}
	}
	return i == len(s)
}

func inRanges(ranges []rune, r rune) bool {
	for j := 0; j+1 < len(ranges); j += 2 {
		if r < ranges[j] {
			return false // the ranges are sorted
		}
		if r <= ranges[j+1] {
			return true
		}
	}
	return false
}

// loopItems turns a parsed pattern into the items MatchString loops over, or returns nil when the pattern has
// another shape or when matching each item greedily could give another answer than the regexp: that is when a
// repeated item can also match the first rune of what follows it.
func loopItems(re *syntax.Regexp) []patternItem {
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText || re.Sub[len(re.Sub)-1].Op != syntax.OpEndText {
		return nil
	}
	items := []patternItem{}
	for _, sub := range re.Sub[1 : len(re.Sub)-1] {
		switch sub.Op {
		case syntax.OpLiteral:
			if sub.Flags&syntax.FoldCase != 0 {
				return nil
			}
			for _, r := range sub.Rune {
				items = append(items, patternItem{ranges: []rune{r, r}, min: 1, max: 1})
			}
		case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
			ranges := oneRune(sub.Sub[0])
			if ranges == nil {
				return nil
			}
			it := patternItem{ranges: ranges}
			switch sub.Op {
			case syntax.OpStar:
				it.min, it.max = 0, -1
			case syntax.OpPlus:
				it.min, it.max = 1, -1
			case syntax.OpQuest:
				it.min, it.max = 0, 1
			default:
				it.min, it.max = sub.Min, sub.Max
			}
			items = append(items, it)
		default:
			ranges := oneRune(sub)
			if ranges == nil {
				return nil
			}
			items = append(items, patternItem{ranges: ranges, min: 1, max: 1})
		}
	}
	for i, it := range items {
		if it.min == it.max {
			continue
		}
		// Whatever may follow: the next items up to the first one that must match at least once.
		for _, next := range items[i+1:] {
			if overlap(it.ranges, next.ranges) {
				return nil
			}
			if next.min > 0 {
				break
			}
		}
	}
	return items
}

// oneRune returns the rune ranges of a pattern that matches exactly one rune, or nil.
func oneRune(re *syntax.Regexp) []rune {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 1 && re.Flags&syntax.FoldCase == 0 {
			return []rune{re.Rune[0], re.Rune[0]}
		}
	case syntax.OpCharClass:
		if len(re.Rune) > 0 {
			return re.Rune
		}
	case syntax.OpAnyCharNotNL:
		return []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}
	case syntax.OpAnyChar:
		return []rune{0, unicode.MaxRune}
	}
	return nil
}

// overlap reports whether two sorted range lists share a rune.
func overlap(a, b []rune) bool {
	for i := 0; i+1 < len(a); i += 2 {
		for j := 0; j+1 < len(b); j += 2 {
			if a[i] <= b[j+1] && b[j] <= a[i+1] {
				return true
			}
		}
	}
	return false
}
