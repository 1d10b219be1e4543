package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// maxPasswordBytes bounds a password read from a file or a pipe.
const maxPasswordBytes = 4096

// prompter reads the secrets of one command: from a file when one is
// named, else from a terminal without echo, else line by line from stdin
// (scripts and tests). One bufio.Reader is kept so that successive lines
// of a pipe (a phrase, then a password) are not lost to buffering.
type prompter struct {
	cmd *cobra.Command
	in  *bufio.Reader
}

func newPrompter(cmd *cobra.Command) *prompter { return &prompter{cmd: cmd} }

// terminal returns stdin's descriptor when the command reads the process's
// own stdin and that is a terminal.
func (p *prompter) terminal() (int, bool) {
	f, ok := p.cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// secret reads one secret: on a terminal after prompt, without echo; else
// the next line of stdin, at most max bytes.
func (p *prompter) secret(prompt string, max int) (string, error) {
	if fd, ok := p.terminal(); ok {
		fmt.Fprint(p.cmd.ErrOrStderr(), prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(p.cmd.ErrOrStderr())
		if err != nil {
			return "", err
		}
		if len(b) > max {
			return "", fmt.Errorf("input over %d bytes", max)
		}
		return string(b), nil
	}
	if p.in == nil {
		p.in = bufio.NewReader(p.cmd.InOrStdin())
	}
	return readLine(p.in, max)
}

// password reads a password from file, or prompts (twice when confirm, on
// a terminal).
func (p *prompter) password(file, prompt string, confirm bool) (string, error) {
	if file != "" {
		b, err := readSecretFile(file, maxPasswordBytes)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	pw, err := p.secret(prompt, maxPasswordBytes)
	if err != nil {
		return "", err
	}
	if _, tty := p.terminal(); confirm && tty {
		again, err := p.secret("Repeat password: ", maxPasswordBytes)
		if err != nil {
			return "", err
		}
		if again != pw {
			return "", errors.New("passwords do not match")
		}
	}
	return pw, nil
}

// readPassword reads a password from a file, or prompts on a terminal.
func readPassword(cmd *cobra.Command, file, prompt string, confirm bool) (string, error) {
	return newPrompter(cmd).password(file, prompt, confirm)
}

// readLine reads up to '\n' or EOF, without the line ending, refusing a
// line over max bytes.
func readLine(r *bufio.Reader, max int) (string, error) {
	var b strings.Builder
	for {
		c, err := r.ReadByte()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		if c == '\n' {
			break
		}
		if b.Len() >= max {
			return "", fmt.Errorf("input line over %d bytes", max)
		}
		b.WriteByte(c)
	}
	return strings.TrimRight(b.String(), "\r"), nil
}

// readSecretFile reads a small file holding a secret, refusing one over
// max bytes (a wrong path to a large file fails fast, and nothing hostile
// fills memory).
func readSecretFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is over %d bytes", path, max)
	}
	return b, nil
}
