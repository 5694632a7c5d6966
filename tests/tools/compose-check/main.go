// compose-check loads a Compose file the way `docker compose` does, with compose-go (the Compose
// specification's reference loader, which docker compose itself uses): YAML, interpolation of
// ${VAR}, ${VAR:-default}, ${VAR:?error} and $$, validation against the Compose schema, normalization
// and the consistency checks (depends_on targets, volumes, configs). It prints the loaded project
// as JSON, or the loader's error on stderr with exit status 1. tests/compose-file.test.ts runs it.
//
//	go run . <compose file> < variables.json     (variables.json: {"NAME": "value", …}, the whole environment)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: compose-check <compose file> < variables.json")
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		return err
	}
	vars := map[string]string{}
	if err := json.NewDecoder(os.Stdin).Decode(&vars); err != nil {
		return fmt.Errorf("reading the variables (a JSON object on stdin): %w", err)
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	// Only the variables given: neither this process's environment nor a .env file beside the compose file.
	options, err := cli.NewProjectOptions([]string{file}, cli.WithWorkingDirectory(filepath.Dir(file)), cli.WithEnv(env))
	if err != nil {
		return err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return err
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
