//go:build chaos

package node

import (
	"strings"
	"testing"
)

// TestChaosSpamConfig: the spam switch validates its rate (0 takes the
// default; negative or above spamMaxRate is refused with the bound) and
// survives a config.toml round trip, which is how the chaos suite sets it.
func TestChaosSpamConfig(t *testing.T) {
	cfg := DefaultConfig(t.TempDir())
	for _, rate := range []int{0, 1, spamDefaultRate, spamMaxRate} {
		c := cfg
		c.Chaos = ChaosConfig{Spam: true, SpamRate: rate}
		if err := c.Validate(); err != nil {
			t.Errorf("spam_rate %d: %v", rate, err)
		}
	}
	for _, rate := range []int{-1, spamMaxRate + 1} {
		c := cfg
		c.Chaos = ChaosConfig{Spam: true, SpamRate: rate}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "spam_rate") {
			t.Errorf("spam_rate %d: %v, want a spam_rate bound error", rate, err)
		}
	}
	cfg.Chaos = ChaosConfig{Spam: true, SpamRate: 300}
	if err := cfg.Save(); err != nil {
		t.Fatal(err)
	}
	back, err := LoadConfig(cfg.Home)
	if err != nil || back.Chaos != cfg.Chaos {
		t.Fatalf("round trip: %+v, %v", back.Chaos, err)
	}
}
