// compose-check loads a docker-compose file the way `docker compose config` does (compose-go:
// the compose-spec JSON schema, interpolation, references), without a Docker engine, and adds
// the checks a reviewer would make: every ${VAR} has a default, every build context and
// Dockerfile exists, every service_healthy dependency has a healthcheck, every
// service_completed_successfully dependency does not restart, every bind-mounted path exists,
// no host port is published twice, and every "service:port" an environment value points at is
// a port that service declares (ports or expose).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

var (
	varRef     = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}`)
	hostPortRe = regexp.MustCompile(`(?:^|[/@,=\s])([a-z][a-z0-9-]*):([0-9]{2,5})\b`)
)

func main() {
	if len(os.Args) != 2 || os.Args[1] == "-h" || os.Args[1] == "--help" {
		fmt.Println("usage: compose-check docker-compose.yml   (exit 1 on any problem)")
		os.Exit(2)
	}
	file, _ := filepath.Abs(os.Args[1])
	raw, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	text := string(raw)
	for _, idx := range varRef.FindAllStringSubmatchIndex(text, -1) {
		if idx[0] > 0 && text[idx[0]-1] == '$' {
			continue // `$${...}` is an escaped dollar for the container's shell
		}
		m := []string{text[idx[0]:idx[1]], text[idx[2]:idx[3]], text[idx[4]:idx[5]]}
		if !strings.HasPrefix(m[2], ":-") && !strings.HasPrefix(m[2], "-") && !strings.HasPrefix(m[2], ":?") && !strings.HasPrefix(m[2], "?") {
			add("${%s} has no default: `docker compose up` must work without a .env file", m[1])
		}
	}

	project, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(file),
		ConfigFiles: []types.ConfigFile{{Filename: file}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("dcmms-check", true) })
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-check: %s does not load: %v\n", file, err)
		os.Exit(1)
	}

	listens := map[string]map[int]bool{}
	for name, s := range project.Services {
		listens[name] = map[int]bool{}
		for _, p := range s.Ports {
			listens[name][int(p.Target)] = true
		}
		for _, e := range s.Expose {
			if n, err := strconv.Atoi(strings.Split(e, "/")[0]); err == nil {
				listens[name][n] = true
			}
		}
	}

	published := map[string]string{}
	for _, name := range sortedNames(project) {
		s := project.Services[name]
		if s.Image == "" && s.Build == nil {
			add("service %s: neither image nor build", name)
		}
		if s.Image != "" && !strings.Contains(s.Image, ":") && !strings.Contains(s.Image, "@") {
			add("service %s: image %q has no tag", name, s.Image)
		}
		if s.Build != nil {
			ctxDir := s.Build.Context
			if st, err := os.Stat(ctxDir); err != nil || !st.IsDir() {
				add("service %s: build context %s does not exist", name, ctxDir)
			} else {
				df := s.Build.Dockerfile
				if df == "" {
					df = "Dockerfile"
				}
				if !filepath.IsAbs(df) {
					df = filepath.Join(ctxDir, df)
				}
				if _, err := os.Stat(df); err != nil {
					add("service %s: Dockerfile %s does not exist", name, df)
				}
			}
		}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				if _, err := os.Stat(v.Source); err != nil {
					add("service %s: bind mount source %s does not exist", name, v.Source)
				}
			}
		}
		for dep, d := range s.DependsOn {
			target, ok := project.Services[dep]
			if !ok {
				add("service %s depends on unknown service %s", name, dep)
				continue
			}
			switch d.Condition {
			case types.ServiceConditionHealthy:
				if target.HealthCheck == nil || target.HealthCheck.Disable {
					add("service %s waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
				}
			case types.ServiceConditionCompletedSuccessfully:
				if target.Restart != "" && target.Restart != "no" {
					add("service %s waits for %s to complete, but %s restarts (%s)", name, dep, dep, target.Restart)
				}
			}
		}
		for _, p := range s.Ports {
			if p.Published == "" {
				continue
			}
			key := p.HostIP + ":" + p.Published + "/" + p.Protocol
			if other, dup := published[key]; dup {
				add("host port %s is published by both %s and %s", key, other, name)
			}
			published[key] = name
		}
		for k, v := range s.Environment {
			if v == nil {
				continue
			}
			for _, m := range hostPortRe.FindAllStringSubmatch(*v, -1) {
				host, port := m[1], m[2]
				ports, isService := listens[host]
				if !isService {
					if _, known := project.Services[host]; !known {
						continue // not a service name (a URL scheme, an external host)
					}
				}
				n, _ := strconv.Atoi(port)
				if !ports[n] {
					add("service %s: %s points at %s:%s, but %s declares no port %s (ports/expose)", name, k, host, port, host, port)
				}
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "compose-check:", p)
		}
		os.Exit(1)
	}
	fmt.Printf("compose-check: %s: %d services, %d volumes, OK\n", filepath.Base(file), len(project.Services), len(project.Volumes))
}

func sortedNames(p *types.Project) []string {
	names := make([]string, 0, len(p.Services))
	for n := range p.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
