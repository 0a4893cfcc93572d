package kubernetes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// object is one manifest document decoded into its typed API object.
type object struct {
	file string
	kind string
	name string
	obj  any
}

// newTyped returns an empty object of the API type of apiVersion and kind.
func newTyped(apiVersion, kind string) (any, error) {
	switch apiVersion + "/" + kind {
	case "v1/Namespace":
		return &corev1.Namespace{}, nil
	case "v1/Service":
		return &corev1.Service{}, nil
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "v1/Secret":
		return &corev1.Secret{}, nil
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}, nil
	case "apps/v1/StatefulSet":
		return &appsv1.StatefulSet{}, nil
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}, nil
	case "rbac.authorization.k8s.io/v1/Role":
		return &rbacv1.Role{}, nil
	case "rbac.authorization.k8s.io/v1/RoleBinding":
		return &rbacv1.RoleBinding{}, nil
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, nil
	}
	return nil, fmt.Errorf("no API type known for %s %s", apiVersion, kind)
}

// kustomization is the part of kustomization.yaml the tests read.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Resources  []string `json:"resources"`
}

func readKustomization(t *testing.T) kustomization {
	t.Helper()
	raw, err := os.ReadFile("kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k kustomization
	if err := yaml.UnmarshalStrict(raw, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	return k
}

// splitDocuments cuts a multi-document YAML file at its `---` lines.
func splitDocuments(raw []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	flush := func() {
		if strings.TrimSpace(stripComments(cur.String())) != "" {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		if strings.TrimRight(line, "\r\n") == "---" {
			flush()
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return docs
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// loadObjects decodes every document of every resource the kustomization
// lists, strictly: an unknown or misspelt field anywhere fails, as it would
// with the API server's strict field validation.
func loadObjects(t *testing.T) []object {
	t.Helper()
	var out []object
	for _, file := range readKustomization(t).Resources {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("kustomization lists %s: %v", file, err)
		}
		for i, doc := range splitDocuments(raw) {
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s document %d: %v", file, i, err)
			}
			obj, err := newTyped(tm.APIVersion, tm.Kind)
			if err != nil {
				t.Fatalf("%s document %d: %v", file, i, err)
			}
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s document %d (%s): %v", file, i, tm.Kind, err)
			}
			meta := obj.(metav1.Object)
			out = append(out, object{file: file, kind: tm.Kind, name: meta.GetName(), obj: obj})
		}
	}
	return out
}

func TestManifestsDecodeStrictly(t *testing.T) {
	objs := loadObjects(t)
	seen := map[string]string{}
	for _, o := range objs {
		if o.name == "" {
			t.Errorf("%s: a %s without metadata.name", o.file, o.kind)
		}
		key := o.kind + "/" + o.name
		if prev, dup := seen[key]; dup {
			t.Errorf("%s defined in %s and %s", key, prev, o.file)
		}
		seen[key] = o.file
	}
	for _, want := range []string{
		"Namespace/modelmon", "StatefulSet/otelcol-modelmon", "Service/otelcol-modelmon-headless",
		"ConfigMap/otelcol-modelmon-config", "Deployment/otelcol-routing", "ConfigMap/otelcol-routing-config",
		"StatefulSet/redis", "Service/redis", "Secret/modelmon-redis",
	} {
		if _, ok := seen[want]; !ok {
			t.Errorf("%s is missing", want)
		}
	}
}

// The strict decoder must refuse what the API server would: a misspelt
// field, a field at the wrong level, a string where a number belongs.
func TestStrictDecodingRefusesMistakes(t *testing.T) {
	for name, doc := range map[string]string{
		"misspelt field": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec: {replica: 3}\n",
		"wrong level":    "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nclusterIP: None\n",
		"wrong type":     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: three}\n",
	} {
		t.Run(name, func(t *testing.T) {
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatal(err)
			}
			obj, err := newTyped(tm.APIVersion, tm.Kind)
			if err != nil {
				t.Fatal(err)
			}
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err == nil {
				t.Fatal("decoded without error")
			}
		})
	}
}

// Every YAML file here is deployed: kustomize must list it.
func TestKustomizationListsEveryManifest(t *testing.T) {
	k := readKustomization(t)
	if k.Kind != "Kustomization" || k.Namespace == "" {
		t.Fatalf("kustomization.yaml: kind %q, namespace %q", k.Kind, k.Namespace)
	}
	listed := map[string]bool{}
	for _, r := range k.Resources {
		listed[r] = true
	}
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f != "kustomization.yaml" && !listed[f] {
			t.Errorf("%s is not in kustomization.yaml", f)
		}
	}
}
