package main

import (
	"regexp"
	"testing"

	"github.com/spf13/cobra"
)

// TestUsageNamesRealFlags: every --flag a command's usage line names is a
// flag of that command (its own, inherited or persistent), so a usage line
// cannot send users to a flag that was renamed or never existed.
func TestUsageNamesRealFlags(t *testing.T) {
	flagRE := regexp.MustCompile(`--([a-z][a-z0-9.-]*)`)
	var walk func(c *cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		for _, m := range flagRE.FindAllStringSubmatch(c.Use, -1) {
			checked++
			if c.Flags().Lookup(m[1]) == nil && c.InheritedFlags().Lookup(m[1]) == nil {
				t.Errorf("%q: usage names --%s, which is not a flag of the command", c.CommandPath(), m[1])
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
	if checked < 20 {
		t.Fatalf("only %d flags named in usage lines: the walk missed the command tree", checked)
	}
}
