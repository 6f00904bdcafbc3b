{{/* Names and labels shared by every template. */}}

{{- define "c2d.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-cloud2dev, or the release name when it already holds the chart name; 50 characters
     at most so that "-collector" and the StatefulSet's pod suffix still fit in 63. */}}
{{- define "c2d.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "c2d.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "c2d.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: agent or collector. */}}
{{- define "c2d.selector" -}}
app.kubernetes.io/name: {{ include "c2d.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "c2d.agentServiceAccount" -}}
{{- if .Values.agent.serviceAccount.create -}}
{{- default (printf "%s-agent" (include "c2d.fullname" .)) .Values.agent.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.agent.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "c2d.collectorServiceAccount" -}}
{{- if .Values.collector.serviceAccount.create -}}
{{- default (printf "%s-collector" (include "c2d.fullname" .)) .Values.collector.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.collector.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the agents' bearer token: the existing one, or the chart's. */}}
{{- define "c2d.fingerprintSecretName" -}}
{{- default (printf "%s-fingerprint-key" (include "c2d.fullname" .)) .Values.agent.secretFingerprint.existingSecret -}}
{{- end -}}

{{- define "c2d.secretName" -}}
{{- default (printf "%s-token" (include "c2d.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "c2d.collectorURL" -}}
{{- if .Values.agent.collectorURL -}}
{{- .Values.agent.collectorURL -}}
{{- else -}}
{{- printf "%s://%s-collector.%s.svc:%v" (ternary "https" "http" .Values.collector.tls.enabled) (include "c2d.fullname" .) .Release.Namespace .Values.collector.service.port -}}
{{- end -}}
{{- end -}}

{{/* [registry/]repository@digest, or [registry/]repository:tag (default: appVersion). */}}
{{- define "c2d.image" -}}
{{- $repo := .image.repository -}}
{{- with .image.registry }}{{ $repo = printf "%s/%s" (trimSuffix "/" .) $repo }}{{ end -}}
{{- if .image.digest -}}
{{- if not (hasPrefix "sha256:" .image.digest) }}{{ fail "image.digest must be sha256:<hex>" }}{{ end -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .ctx.Chart.AppVersion .image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the read tokens (c2d, the UI): the existing one, or the chart's. */}}
{{- define "c2d.readSecretName" -}}
{{- default (printf "%s-read-token" (include "c2d.fullname" .)) .Values.auth.read.existingSecret -}}
{{- end -}}

{{/* The agent's policy file: agent.policy with agent.provenanceKeys as provenance_keys. */}}
{{- define "c2d.policyJSON" -}}
{{- $p := deepCopy (default (dict) .Values.agent.policy) -}}
{{- if .Values.agent.provenanceKeys -}}
{{- $_ := set $p "provenance_keys" .Values.agent.provenanceKeys -}}
{{- end -}}
{{- toPrettyJson $p -}}
{{- end -}}

{{/* A probe, its httpGet switched to HTTPS when the collector serves TLS. */}}
{{- define "c2d.probeScheme" -}}
{{- $p := deepCopy .probe -}}
{{- if and .tls $p.httpGet -}}
{{- $_ := set $p.httpGet "scheme" "HTTPS" -}}
{{- end -}}
{{- toYaml $p -}}
{{- end -}}

{{/* The agent container's security context: computed from capabilities, privileged and
     seccompProfile, then agent.containerSecurityContext merged over it. */}}
{{- define "c2d.agentSecurityContext" -}}
{{- $a := .Values.agent -}}
{{- $sc := dict "runAsUser" 0 "runAsGroup" 0 "readOnlyRootFilesystem" true -}}
{{- if $a.privileged -}}
{{- $_ := set $sc "privileged" true -}}
{{- else -}}
{{- $_ := set $sc "privileged" false -}}
{{- $_ := set $sc "allowPrivilegeEscalation" false -}}
{{- $_ := set $sc "capabilities" (dict "drop" (list "ALL") "add" $a.capabilities) -}}
{{- end -}}
{{- with $a.seccompProfile -}}
{{- $_ := set $sc "seccompProfile" . -}}
{{- end -}}
{{- toYaml (mergeOverwrite $sc (deepCopy (default (dict) $a.containerSecurityContext))) -}}
{{- end -}}
