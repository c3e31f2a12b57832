package lab_test

import "regexp"

func regexpMatch(s, re string) bool { return regexp.MustCompile(re).MatchString(s) }

func regexpOf(re string) *regexp.Regexp { return regexp.MustCompile(re) }
