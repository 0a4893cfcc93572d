package kubernetes

import (
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// loadBalancing holds the keys of the contrib load_balancing exporter
// (v0.165.1, exporter/loadbalancingexporter/config.go) that the routing
// tier uses; decoding strictly into it fails on any other or misspelt key.
type loadBalancing struct {
	RoutingKey        string   `json:"routing_key"`
	RoutingAttributes []string `json:"routing_attributes"`
	Protocol          struct {
		// The OTLP exporter's own config: not ours to check key by key.
		OTLP map[string]any `json:"otlp"`
	} `json:"protocol"`
	Resolver struct {
		K8s *struct {
			Service         string  `json:"service"`
			Ports           []int32 `json:"ports"`
			Timeout         string  `json:"timeout"`
			ReturnHostnames bool    `json:"return_hostnames"`
		} `json:"k8s"`
	} `json:"resolver"`
}

// collectorConfig is the part of a collector config the tests compare.
type collectorConfig struct {
	Exporters  map[string]any `json:"exporters"`
	Processors map[string]any `json:"processors"`
	Service    struct {
		Pipelines map[string]struct {
			Receivers  []string `json:"receivers"`
			Processors []string `json:"processors"`
			Exporters  []string `json:"exporters"`
		} `json:"pipelines"`
	} `json:"service"`
}

func collectorConfigOf(t *testing.T, objs []object, configMap string) (collectorConfig, []byte) {
	t.Helper()
	cm := find[*corev1.ConfigMap](t, objs, "ConfigMap", configMap)
	raw := []byte(cm.Data["config.yaml"])
	var cfg collectorConfig
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("%s config.yaml: %v", configMap, err)
	}
	return cfg, raw
}

func TestRoutingConfig(t *testing.T) {
	objs := loadObjects(t)
	routing, _ := collectorConfigOf(t, objs, "otelcol-routing-config")
	gateway, _ := collectorConfigOf(t, objs, "otelcol-modelmon-config")

	lbRaw, ok := routing.Exporters["load_balancing"]
	if !ok {
		t.Fatal("the routing tier has no load_balancing exporter")
	}
	b, err := yaml.Marshal(lbRaw)
	if err != nil {
		t.Fatal(err)
	}
	var lb loadBalancing
	if err := yaml.UnmarshalStrict(b, &lb); err != nil {
		t.Fatalf("load_balancing: %v", err)
	}
	if lb.RoutingKey != "attributes" {
		t.Errorf("routing_key %q, want attributes", lb.RoutingKey)
	}

	// The routing key is the gateway's model key, attribute for attribute:
	// otherwise two points of one model may reach two gateways.
	mm, _ := gateway.Processors["modelmon"].(map[string]any)
	var modelKey []string
	for _, v := range mm["model_key"].([]any) {
		modelKey = append(modelKey, v.(string))
	}
	if !slices.Equal(lb.RoutingAttributes, modelKey) {
		t.Errorf("routing_attributes %v differ from the gateway's model_key %v", lb.RoutingAttributes, modelKey)
	}

	k8s := lb.Resolver.K8s
	if k8s == nil {
		t.Fatal("load_balancing does not use the k8s resolver")
	}
	if _, err := time.ParseDuration(k8s.Timeout); k8s.Timeout != "" && err != nil {
		t.Errorf("resolver.k8s.timeout: %v", err)
	}
	if !k8s.ReturnHostnames {
		t.Error("resolver.k8s.return_hostnames must be true: routes follow the StatefulSet's stable pod names")
	}
	ns := readKustomization(t).Namespace
	sts := find[*appsv1.StatefulSet](t, objs, "StatefulSet", "otelcol-modelmon")
	if want := sts.Spec.ServiceName + "." + ns; k8s.Service != want {
		t.Errorf("resolver.k8s.service %q, want the headless service %q", k8s.Service, want)
	}
	svc := find[*corev1.Service](t, objs, "Service", sts.Spec.ServiceName)
	for _, p := range k8s.Ports {
		if !slices.ContainsFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return sp.Port == p }) {
			t.Errorf("resolver port %d is not a port of %s", p, svc.Name)
		}
	}

	pl, ok := routing.Service.Pipelines["metrics"]
	if !ok || !slices.Contains(pl.Exporters, "load_balancing") {
		t.Error("the routing tier's metrics pipeline does not export to load_balancing")
	}
}
