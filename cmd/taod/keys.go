package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

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

// readPassword reads a password from a file, or prompts on a terminal.
func readPassword(cmd *cobra.Command, file, prompt string, confirm bool) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(cmd.ErrOrStderr(), prompt)
	pw, err := term.ReadPassword(fd)
	fmt.Fprintln(cmd.ErrOrStderr())
	if err != nil {
		return "", err
	}
	if confirm {
		fmt.Fprint(cmd.ErrOrStderr(), "Repeat password: ")
		again, err := term.ReadPassword(fd)
		fmt.Fprintln(cmd.ErrOrStderr())
		if err != nil {
			return "", err
		}
		if string(again) != string(pw) {
			return "", errors.New("passwords do not match")
		}
	}
	return string(pw), nil
}

func newKeysCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage coldkeys (keystore v3 files)",
		Long: `keys manages coldkeys: secp256k1 keys with Ethereum-style addresses, stored encrypted
as keystore v3 files (the format Ethereum wallets use) in --keyring (default ~/.taod/keys,
env TAOD_KEYRING). Passwords come from --password-file or a prompt.`,
	}
	cmd.PersistentFlags().StringVar(&dir, "keyring", defaultKeyringDir(), "keyring directory (env TAOD_KEYRING)")

	var pwFile string
	newCmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a new coldkey",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr := &keyring.Keyring{Dir: dir}
			if _, err := kr.Get(args[0]); err == nil {
				return fmt.Errorf("%w: %s", keyring.ErrExists, args[0])
			}
			pw, err := readPassword(cmd, pwFile, "Password for the new key: ", true)
			if err != nil {
				return err
			}
			e, err := kr.Create(args[0], pw)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created %s\naddress %s\nfile    %s\n", e.Name, e.Address.Hex(), e.Path)
			return nil
		},
	}
	newCmd.Flags().StringVar(&pwFile, "password-file", "", "file holding the password (else a prompt)")

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
	cmd.AddCommand(newCmd, listCmd, showCmd)
	cmd.AddCommand(newSwapColdkeyCmd())
	return cmd
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
