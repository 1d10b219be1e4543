package keys

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tyler-smith/go-bip39"
	"golang.org/x/text/unicode/norm"
)

// MnemonicWords is the length of the phrases NewMnemonic makes: 24 words,
// 256 bits of entropy, as hardware wallets make them.
const MnemonicWords = 24

// MaxMnemonicBytes bounds a phrase read from a file or a prompt: 24 of the
// longest English words (8 letters) with separators fit many times over.
const MaxMnemonicBytes = 1024

var (
	// ErrMnemonicLength is a phrase whose word count is not 12, 15, 18,
	// 21 or 24.
	ErrMnemonicLength = errors.New("keys: a recovery phrase has 12, 15, 18, 21 or 24 words")
	// ErrUnknownWord is a word that is not in the BIP-39 English list.
	ErrUnknownWord = errors.New("keys: word not in the BIP-39 English word list")
	// ErrMnemonicChecksum is a phrase of known words whose checksum does
	// not match: usually a mistyped or swapped word.
	ErrMnemonicChecksum = errors.New("keys: recovery phrase checksum does not match (a word is wrong or out of order)")
	// ErrMnemonicTooLong is input over MaxMnemonicBytes.
	ErrMnemonicTooLong = errors.New("keys: recovery phrase input is too long")
)

// NewMnemonic returns a fresh 24-word English phrase from 32 bytes of r
// (crypto/rand.Reader in production; a fixed reader in tests).
func NewMnemonic(r io.Reader) (string, error) {
	entropy := make([]byte, 32)
	defer clear(entropy)
	if _, err := io.ReadFull(r, entropy); err != nil {
		return "", fmt.Errorf("keys: read entropy: %w", err)
	}
	return bip39.NewMnemonic(entropy)
}

// NormalizeMnemonic returns the phrase in the form BIP-39 hashes: NFKD,
// lower case, words separated by single spaces. Extra spaces, tabs,
// newlines and capitals typed by a person do not change the key.
func NormalizeMnemonic(phrase string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFKD.String(phrase))), " ")
}

// CheckMnemonic reports whether phrase is a valid English BIP-39 phrase.
// The error names the problem and, for an unknown word, its position (1-
// based); it never repeats the word, since errors end up in logs.
func CheckMnemonic(phrase string) error {
	if len(phrase) > MaxMnemonicBytes {
		return fmt.Errorf("%w (%d bytes, at most %d)", ErrMnemonicTooLong, len(phrase), MaxMnemonicBytes)
	}
	words := strings.Fields(NormalizeMnemonic(phrase))
	switch len(words) {
	case 12, 15, 18, 21, 24:
	default:
		return fmt.Errorf("%w, got %d", ErrMnemonicLength, len(words))
	}
	for i, w := range words {
		if _, ok := bip39.GetWordIndex(w); !ok {
			return fmt.Errorf("%w: word %d of %d", ErrUnknownWord, i+1, len(words))
		}
	}
	entropy, err := bip39.EntropyFromMnemonic(strings.Join(words, " "))
	clear(entropy)
	if errors.Is(err, bip39.ErrChecksumIncorrect) {
		return ErrMnemonicChecksum
	}
	if err != nil {
		return fmt.Errorf("keys: invalid recovery phrase: %w", err)
	}
	return nil
}

// Seed checks phrase and returns its 64-byte BIP-39 seed under passphrase
// (the optional "25th word"; "" for MetaMask's default).
func Seed(phrase, passphrase string) ([]byte, error) {
	if err := CheckMnemonic(phrase); err != nil {
		return nil, err
	}
	return bip39.NewSeed(NormalizeMnemonic(phrase), norm.NFKD.String(passphrase)), nil
}
