package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/spf13/cobra"

	"github.com/taonet/taod/client/keys"
	"github.com/taonet/taod/internal/keyring"
	"github.com/taonet/taod/types"
)

func defaultKeyringDir() string {
	if d := os.Getenv("TAOD_KEYRING"); d != "" {
		return d
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".taod", "keys")
	}
	return filepath.Join(dir, ".taod", "keys")
}

func newKeysCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage coldkeys (keystore v3 files)",
		Long: `keys manages coldkeys: secp256k1 keys with Ethereum-style addresses, stored encrypted
as keystore v3 files (the format Ethereum wallets use) in --keyring (default ~/.taod/keys,
env TAOD_KEYRING). Passwords come from --password-file or a prompt.

A key made by 'keys new' comes with a 24-word BIP-39 recovery phrase; the same phrase gives
the same address in MetaMask and other Ethereum wallets (path m/44'/60'/0'/0/i, account i+1).
'keys import' restores a key from a phrase, a hex private key or another wallet's keystore
file; 'keys export' prints a key's keystore file.`,
	}
	var lightKDF bool
	cmd.PersistentFlags().StringVar(&dir, "keyring", defaultKeyringDir(), "keyring directory (env TAOD_KEYRING)")
	cmd.PersistentFlags().BoolVar(&lightKDF, "light-kdf", false, "encrypt new keys with light scrypt (fast, much weaker: tests and throwaway keys)")

	var pwFile string
	var noMnemonic bool
	newCmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a new coldkey and show its 24-word recovery phrase once",
		Long: `new creates a coldkey from a fresh 24-word BIP-39 recovery phrase and shows the phrase
once. The key is account 1 of that phrase in any Ethereum wallet (m/44'/60'/0'/0/0): the phrase
restores it with 'taod keys import NAME --mnemonic' or in MetaMask. The phrase is not stored;
write it down. --no-mnemonic makes a plain random key and shows nothing (for scripts).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr := openKeyring(dir, lightKDF)
			if err := checkFreeName(kr, args[0]); err != nil {
				return err
			}
			pw, err := readPassword(cmd, pwFile, "Password for the new key: ", true)
			if err != nil {
				return err
			}
			if noMnemonic {
				e, err := kr.Create(args[0], pw)
				if err != nil {
					return err
				}
				printEntry(cmd, "created", e, "")
				return nil
			}
			phrase, err := keys.NewMnemonic(rand.Reader)
			if err != nil {
				return err
			}
			key, err := keys.FromMnemonic(phrase, "", 0)
			if err != nil {
				return err
			}
			e, err := kr.Import(args[0], key, pw)
			if err != nil {
				return err
			}
			printEntry(cmd, "created", e, keys.PathString(0))
			fmt.Fprintf(cmd.OutOrStdout(), `
Recovery phrase (%d words; shown this once and stored nowhere):

%s
Write it down and keep it offline: anyone who has it has this key. It restores
the key with 'taod keys import %s --mnemonic', or in any Ethereum wallet as account 1.
`, keys.MnemonicWords, numberedWords(phrase), e.Name)
			return nil
		},
	}
	newCmd.Flags().StringVar(&pwFile, "password-file", "", "file holding the password (else a prompt)")
	newCmd.Flags().BoolVar(&noMnemonic, "no-mnemonic", false, "make a random key with no recovery phrase (scripts)")

	var asJSON bool
	listCmd := &cobra.Command{
		Use:   "list",
		Short: "List coldkeys: names and addresses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			list, err := (&keyring.Keyring{Dir: dir}).List()
			if err != nil {
				return err
			}
			if asJSON {
				if list == nil {
					list = []keyring.Entry{}
				}
				return json.NewEncoder(cmd.OutOrStdout()).Encode(list)
			}
			if len(list) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "no keys in %s (create one with `taod keys new NAME`)\n", dir)
				return nil
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tADDRESS")
			for _, e := range list {
				fmt.Fprintf(w, "%s\t%s\n", e.Name, e.Address.Hex())
			}
			return w.Flush()
		},
	}
	listCmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	showCmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a coldkey's address and file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := resolveKey(dir, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "name    %s\naddress %s\nfile    %s\n", e.Name, e.Address.Hex(), e.Path)
			return nil
		},
	}
	cmd.AddCommand(newCmd, newKeysImportCmd(&dir, &lightKDF), newKeysExportCmd(&dir), listCmd, showCmd)
	cmd.AddCommand(newSwapColdkeyCmd())
	return cmd
}

// openKeyring is the keyring in dir; light selects go-ethereum's light
// scrypt setting for the keys it writes.
func openKeyring(dir string, light bool) *keyring.Keyring {
	kr := &keyring.Keyring{Dir: dir}
	if light {
		kr.ScryptN, kr.ScryptP = keystore.LightScryptN, keystore.LightScryptP
	}
	return kr
}

// checkFreeName refuses a name already in the keyring before any prompt.
func checkFreeName(kr *keyring.Keyring, name string) error {
	if _, err := kr.Get(name); err == nil {
		return fmt.Errorf("%w: %s", keyring.ErrExists, name)
	}
	return nil
}

func printEntry(cmd *cobra.Command, verb string, e keyring.Entry, path string) {
	fmt.Fprintf(cmd.OutOrStdout(), "%s %s\naddress %s\nfile    %s\n", verb, e.Name, e.Address.Hex(), e.Path)
	if path != "" {
		fmt.Fprintf(cmd.OutOrStdout(), "path    %s\n", path)
	}
}

// numberedWords lays a phrase out six numbered words to a line.
func numberedWords(phrase string) string {
	var b, line strings.Builder
	for i, w := range strings.Fields(phrase) {
		fmt.Fprintf(&line, "%3d %-9s", i+1, w)
		if i%6 == 5 {
			b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
			line.Reset()
		}
	}
	if line.Len() > 0 {
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}

// resolveKey finds a key by name in the keyring, then among the dev keys of
// a devnet in ./.devnet, or takes a path to a keystore file.
func resolveKey(dir, name string) (keyring.Entry, error) {
	if strings.HasSuffix(name, ".json") {
		if _, err := os.Stat(name); err == nil {
			kr := &keyring.Keyring{Dir: filepath.Dir(name)}
			return kr.Get(strings.TrimSuffix(filepath.Base(name), ".json"))
		}
	}
	e, err := (&keyring.Keyring{Dir: dir}).Get(name)
	if err == nil {
		return e, nil
	}
	if e2, err2 := (&keyring.Keyring{Dir: filepath.Join(".devnet", "keys")}).Get(name); err2 == nil {
		return e2, nil
	}
	return keyring.Entry{}, fmt.Errorf("%w (looked in %s and .devnet/keys)", err, dir)
}

// parseAddressArg parses an address given on the command line.
func parseAddressArg(s string) (types.Address, error) {
	a, err := types.ParseAddress(s)
	if err != nil {
		return a, err
	}
	return a, nil
}
