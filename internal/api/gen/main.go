// Command gen turns the checked-in AWS service models into Go: a type for
// every shape, enums, error types, the operation table with every member's
// wire binding and constraints (as internal/schema tables), and a Service
// interface with a NotImplemented fallback.
//
// It runs from go generate in each internal/api/<service> package:
//
//	go run ../gen -service s3control
//
// reads ../models/s3control.json, applies ../models/s3control.patch.json when
// it exists, and writes the generated files into the current directory.
//
// With -import it refreshes the checked-in models from botocore's data
// directory instead, stripping documentation strings:
//
//	go run ./internal/api/gen -import $(python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))')/data -models internal/api/models
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// services maps the package name of each generated API to its botocore
// directory and version.
var services = map[string][2]string{
	"s3control": {"s3control", "2018-08-20"},
	"snowball":  {"snowball", "2016-06-30"},
	"s3":        {"s3", "2006-03-01"},
}

func main() {
	service := flag.String("service", "", "service to generate (s3control, snowball, s3)")
	models := flag.String("models", "../models", "directory of the checked-in models and patches")
	out := flag.String("out", ".", "output directory of the generated package")
	imp := flag.String("import", "", "botocore data directory to import the models from (strips documentation)")
	flag.Parse()

	var err error
	switch {
	case *imp != "":
		err = importModels(*imp, *models)
	case *service != "":
		err = generate(*service, *models, *out)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func importModels(botocore, dir string) error {
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		src := filepath.Join(botocore, services[name][0], services[name][1], "service-2.json.gz")
		raw, err := readMaybeGzip(src)
		if err != nil {
			return err
		}
		stripped, err := stripDocs(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), stripped, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func generate(service, models, out string) error {
	if _, ok := services[service]; !ok {
		return fmt.Errorf("unknown service %q", service)
	}
	m, err := loadModel(filepath.Join(models, service+".json"), filepath.Join(models, service+".patch.json"))
	if err != nil {
		return err
	}
	g := newGenerator(service, m)
	files, err := g.run()
	if err != nil {
		return err
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(out, name), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func sortStrings(s []string) { sort.Strings(s) }
