// k8s-strict decodes every object of a multi-document YAML stream with the Kubernetes API
// types in strict mode: unknown fields, duplicate fields, wrong types and unknown kinds are
// errors. It complements the JSON-schema validation (required fields, formats) done in Node.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	sigsyaml "sigs.k8s.io/yaml"
)

type meta struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "-h" || os.Args[1] == "--help") {
		fmt.Println("usage: k8s-strict < manifests.yaml   (exit 1 when any object is invalid)")
		return
	}
	decoder := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	objects, failures := 0, 0
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "read: %v\n", err)
			os.Exit(2)
		}
		if len(bytes.TrimSpace(doc)) == 0 || isOnlyComments(doc) {
			continue
		}
		objects++
		var m meta
		_ = sigsyaml.Unmarshal(doc, &m)
		if _, _, err := decoder.Decode(doc, nil, nil); err != nil {
			failures++
			fmt.Fprintf(os.Stderr, "%s/%s: %v\n", m.Kind, m.Metadata.Name, err)
		}
	}
	fmt.Printf("k8s-strict: %d objects, %d invalid\n", objects, failures)
	if failures > 0 || objects == 0 {
		os.Exit(1)
	}
}

func isOnlyComments(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}
