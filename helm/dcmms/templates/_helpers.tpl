{{- define "dcmms.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dcmms.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "dcmms.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "dcmms.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one role: (dict "ctx" $ "role" "gateway") */}}
{{- define "dcmms.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dcmms.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "dcmms.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "dcmms.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "dcmms.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "dcmms.secretName" -}}
{{- default (printf "%s-secrets" (include "dcmms.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "dcmms.configName" -}}
{{- printf "%s-config" (include "dcmms.fullname" .) -}}
{{- end -}}

{{/* Credentials from the Secret: the registry every role reads, and QuestDB's for the roles that query it. */}}
{{- define "dcmms.env" -}}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "dcmms.secretName" . }}, key: DATABASE_URL } }
{{- end -}}

{{- define "dcmms.questdbEnv" -}}
- name: QUESTDB_PG
  valueFrom: { secretKeyRef: { name: {{ include "dcmms.secretName" . }}, key: QUESTDB_PG } }
{{- end -}}

{{- define "dcmms.roleEnv" -}}
{{- range $k, $v := . }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by every role: (dict "ctx" $ "role" "api" "values" .Values.api) */}}
{{- define "dcmms.podSpecCommon" -}}
serviceAccountName: {{ include "dcmms.serviceAccountName" .ctx }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .ctx.Values.podSecurityContext | nindent 2 }}
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if eq .ctx.Values.antiAffinity "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "dcmms.selectorLabels" (dict "ctx" .ctx "role" .role) | nindent 14 }}
{{- else if eq .ctx.Values.antiAffinity "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "dcmms.selectorLabels" (dict "ctx" .ctx "role" .role) | nindent 12 }}
{{- end }}
{{- end -}}

{{/* The probes of a role that serves /healthz and /readyz on its HTTP port. */}}
{{- define "dcmms.probes" -}}
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: http }
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}
