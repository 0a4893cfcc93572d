package kubernetes

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// The image conventions of the otelcol-modelmon container.
const (
	gatewayImage     = "otelcol-modelmon:0.1.0"
	gatewayConfigDir = "/etc/otelcol-modelmon"
	gatewayStateDir  = "/var/lib/otelcol-modelmon"
	gatewayUser      = int64(10001)
)

func find[T any](t *testing.T, objs []object, kind, name string) T {
	t.Helper()
	for _, o := range objs {
		if o.kind == kind && o.name == name {
			return o.obj.(T)
		}
	}
	var zero T
	t.Fatalf("%s %s not found", kind, name)
	return zero
}

func TestGatewayStatefulSet(t *testing.T) {
	objs := loadObjects(t)
	sts := find[*appsv1.StatefulSet](t, objs, "StatefulSet", "otelcol-modelmon")
	svc := find[*corev1.Service](t, objs, "Service", sts.Spec.ServiceName)
	if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("service %s must be headless, clusterIP %q", svc.Name, svc.Spec.ClusterIP)
	}
	pod := sts.Spec.Template
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels)) {
		t.Errorf("headless service selector %v does not select the gateway pods %v", svc.Spec.Selector, pod.Labels)
	}
	if sts.Spec.Replicas == nil || *sts.Spec.Replicas < 2 {
		t.Error("a sharded tier has at least two gateways")
	}

	psc := pod.Spec.SecurityContext
	if psc == nil || psc.RunAsUser == nil || *psc.RunAsUser != gatewayUser || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
		t.Errorf("gateway pods run as user %d, non-root: %+v", gatewayUser, psc)
	}
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("one container, got %d", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	if c.Image != gatewayImage {
		t.Errorf("image %q, want %q", c.Image, gatewayImage)
	}
	if !slices.Contains(c.Args, "--config="+gatewayConfigDir+"/config.yaml") {
		t.Errorf("args %v do not point at %s/config.yaml", c.Args, gatewayConfigDir)
	}

	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name
	}
	cfgVol := mounts[gatewayConfigDir]
	var cmName string
	for _, v := range pod.Spec.Volumes {
		if v.Name == cfgVol && v.ConfigMap != nil {
			cmName = v.ConfigMap.Name
		}
	}
	if cmName == "" {
		t.Fatalf("%s is not mounted from a ConfigMap", gatewayConfigDir)
	}
	cm := find[*corev1.ConfigMap](t, objs, "ConfigMap", cmName)
	if _, ok := cm.Data["config.yaml"]; !ok {
		t.Errorf("ConfigMap %s has no config.yaml", cmName)
	}
	stateVol := mounts[gatewayStateDir]
	if !slices.ContainsFunc(sts.Spec.VolumeClaimTemplates, func(p corev1.PersistentVolumeClaim) bool { return p.Name == stateVol }) {
		t.Errorf("%s is not mounted from a volumeClaimTemplate (volume %q)", gatewayStateDir, stateVol)
	}

	ports := map[string]bool{}
	for _, p := range c.Ports {
		ports[p.Name] = true
	}
	for _, p := range svc.Spec.Ports {
		if !ports[p.TargetPort.String()] {
			t.Errorf("service port %s targets %s, which the container does not name", p.Name, p.TargetPort.String())
		}
	}
}

// Every Secret and ConfigMap a pod refers to exists, with the key referred to.
func TestReferencesResolve(t *testing.T) {
	objs := loadObjects(t)
	for _, o := range objs {
		var spec *corev1.PodSpec
		switch w := o.obj.(type) {
		case *appsv1.StatefulSet:
			spec = &w.Spec.Template.Spec
		case *appsv1.Deployment:
			spec = &w.Spec.Template.Spec
		default:
			continue
		}
		if spec.ServiceAccountName != "" {
			find[*corev1.ServiceAccount](t, objs, "ServiceAccount", spec.ServiceAccountName)
		}
		for _, v := range spec.Volumes {
			if v.ConfigMap != nil {
				find[*corev1.ConfigMap](t, objs, "ConfigMap", v.ConfigMap.Name)
			}
		}
		for _, c := range spec.Containers {
			for _, e := range c.Env {
				if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
					continue
				}
				ref := e.ValueFrom.SecretKeyRef
				s := find[*corev1.Secret](t, objs, "Secret", ref.Name)
				if _, ok := s.StringData[ref.Key]; !ok {
					if _, ok := s.Data[ref.Key]; !ok {
						t.Errorf("%s %s: secret %s has no key %s", o.kind, o.name, ref.Name, ref.Key)
					}
				}
			}
		}
	}
	// Every Service selects some pods.
	for _, o := range objs {
		svc, ok := o.obj.(*corev1.Service)
		if !ok {
			continue
		}
		sel := labels.SelectorFromSet(svc.Spec.Selector)
		matched := false
		for _, p := range objs {
			switch w := p.obj.(type) {
			case *appsv1.StatefulSet:
				matched = matched || sel.Matches(labels.Set(w.Spec.Template.Labels))
			case *appsv1.Deployment:
				matched = matched || sel.Matches(labels.Set(w.Spec.Template.Labels))
			}
		}
		if !matched {
			t.Errorf("service %s selects no pods", svc.Name)
		}
	}
}

// The routing tier's k8s resolver may watch the gateways' endpoints.
func TestRoutingRBAC(t *testing.T) {
	objs := loadObjects(t)
	dep := find[*appsv1.Deployment](t, objs, "Deployment", "otelcol-routing")
	sa := dep.Spec.Template.Spec.ServiceAccountName
	var role *rbacv1.Role
	for _, o := range objs {
		rb, ok := o.obj.(*rbacv1.RoleBinding)
		if !ok || !slices.ContainsFunc(rb.Subjects, func(s rbacv1.Subject) bool { return s.Kind == "ServiceAccount" && s.Name == sa }) {
			continue
		}
		role = find[*rbacv1.Role](t, objs, "Role", rb.RoleRef.Name)
	}
	if role == nil {
		t.Fatalf("no RoleBinding for service account %q", sa)
	}
	allowed := func(group, resource string) bool {
		for _, r := range role.Rules {
			if slices.Contains(r.APIGroups, group) && slices.Contains(r.Resources, resource) &&
				slices.Contains(r.Verbs, "list") && slices.Contains(r.Verbs, "watch") {
				return true
			}
		}
		return false
	}
	if !allowed("discovery.k8s.io", "endpointslices") || !allowed("", "endpoints") {
		t.Errorf("role %s must list and watch endpoints and endpointslices: %+v", role.Name, role.Rules)
	}
}
