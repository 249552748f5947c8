// Command note is vouch's interoperability check against Go's own signed-note
// implementation, golang.org/x/mod/sumdb/note (Debian: golang-golang-x-mod-dev).
//
//	note verify VKEYFILE NOTEFILE   open NOTEFILE with the verifier key; print the text
//	note sign SKEYFILE TEXTFILE     sign TEXTFILE with the private key; print the note
//	note generate NAME SKEYFILE     make a key pair with Go; write the private key, print vkey
//
// Exit status 0 on success, 1 when verification fails, 2 on other errors.
package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	return strings.TrimRight(string(b), "\r\n")
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: note verify VKEYFILE NOTEFILE | sign SKEYFILE TEXTFILE | generate NAME SKEYFILE")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "verify":
		v, err := note.NewVerifier(readTrim(os.Args[2]))
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad verifier key:", err)
			os.Exit(2)
		}
		msg, err := os.ReadFile(os.Args[3])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		n, err := note.Open(msg, note.VerifierList(v))
		if err != nil {
			fmt.Fprintln(os.Stderr, "verify:", err)
			os.Exit(1)
		}
		fmt.Print(n.Text)
	case "sign":
		s, err := note.NewSigner(readTrim(os.Args[2]))
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad signer key:", err)
			os.Exit(2)
		}
		text, err := os.ReadFile(os.Args[3])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		out, err := note.Sign(&note.Note{Text: string(text)}, s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sign:", err)
			os.Exit(2)
		}
		os.Stdout.Write(out)
	case "generate":
		skey, vkey, err := note.GenerateKey(rand.Reader, os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := os.WriteFile(os.Args[3], []byte(skey+"\n"), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(vkey)
	default:
		os.Exit(2)
	}
}
