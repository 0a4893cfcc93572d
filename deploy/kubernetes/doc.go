// Package kubernetes holds the tests of the Kubernetes manifests beside it:
// every manifest decodes strictly into its typed Kubernetes object, the
// objects reference each other consistently, and the routing tier's
// collector config routes on the gateways' model key. It is a module of its
// own so that the Kubernetes API types stay out of the collector's build.
package kubernetes
