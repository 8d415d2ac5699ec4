#!/usr/bin/env node
/**
 * Writes the quickstart retrieval dataset (BEIR layout) into examples/quickstart/data/.
 *
 * Everything here was written for embedeval: a help centre for "Harborlight", a fictional cloud
 * provider (compute, object storage, managed PostgreSQL, Kubernetes, DNS, billing, ...). The corpus
 * mixes hand-written how-to articles (the ones queries are judged against) with generated release
 * notes, incident reports, price lists and API reference pages that share their vocabulary, so
 * lexical methods are distracted as they would be on a real help centre. Queries are paraphrased
 * questions, judged 2 (answers the question) or 1 (partly useful).
 *
 * Deterministic: a fixed-seed generator picks combinations, so running it again reproduces the
 * committed files byte for byte. Usage: node examples/quickstart/scripts/generate-dataset.mjs [folder]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// An optional argument writes elsewhere (the test regenerates into a temporary folder and compares).
const dataFolder = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "data");

/** mulberry32: a tiny seeded generator, so the dataset is the same on every machine. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(20260115);
const pick = (list) => list[Math.floor(random() * list.length)];

// Hand-written help-centre articles: [key, title, text].
const articles = [
  // Compute
  [
    "compute-create",
    "Creating a virtual machine",
    "Open the console, choose Compute > Instances and select Create. Pick a region, an image such as Ubuntu 24.04 or Debian 12, and a size; the smallest size has 1 vCPU and 1 GB of memory. Add an SSH key before you create the instance, because password login is disabled by default.",
  ],
  [
    "compute-resize",
    "Resizing an instance",
    "You can move an instance to a larger or smaller size at any time. Stop the instance, choose Resize and pick the new size; the public IP address stays the same. Shrinking is only possible when the new size has at least as much disk as the data already stored. With the CLI: hlctl instance resize web-1 --size m2.large.",
  ],
  [
    "compute-ssh-denied",
    "SSH says Permission denied (publickey)",
    "This error means the instance did not accept any key your client offered. Check that you connect as the image's default user (ubuntu for Ubuntu, debian for Debian, root for Rocky Linux), that the matching private key is loaded in your agent, and that the key was added before the instance was created. Keys added later must be copied into ~/.ssh/authorized_keys by hand or through the recovery console.",
  ],
  [
    "compute-recovery-console",
    "Using the recovery console",
    "The recovery console gives you keyboard and screen access to an instance even when networking or SSH is broken. Open the instance and choose Console. If you are locked out, set a root password from the console with passwd, and disable password login again afterwards.",
  ],
  [
    "compute-gpu",
    "GPU instances",
    "GPU sizes (g1.xlarge with one NVIDIA L4, g2.4xlarge with four) are available in fra1 and nyc2. They are billed per second with a one-minute minimum. The harbor-gpu image ships with CUDA 12 and the drivers preinstalled. GPU quota starts at zero: request an increase from the Quotas page.",
  ],
  [
    "compute-quota",
    "Instance and vCPU quotas",
    "New accounts may run up to 10 instances and 24 vCPUs per region. When a create request fails with QuotaExceeded, open Account > Quotas and ask for more; most requests are approved within one business day. Stopped instances still count against the quota, so deleting them frees room.",
  ],
  [
    "compute-stopped-billing",
    "Are stopped instances billed?",
    "A stopped instance is no longer charged for vCPU and memory, but its disks and reserved IP addresses are billed until you delete them. To stop paying entirely, take a snapshot and delete the instance; you can create a new instance from the snapshot later.",
  ],
  [
    "compute-metadata",
    "Instance metadata and user data",
    "From inside an instance, http://169.254.169.254/v1/ returns its id, region, network addresses and user data. Cloud-init reads the user data on first boot, so you can pass a shell script or a cloud-config file when you create the instance.",
  ],
  // Object storage
  [
    "storage-create-bucket",
    "Creating a bucket",
    "Buckets hold objects in one region. Bucket names are global and use 3 to 63 lowercase letters, digits and hyphens. Create one in the console under Storage > Buckets or with hlctl bucket create my-assets --region fra1.",
  ],
  [
    "storage-public",
    "Making objects public",
    "Buckets are private by default. To serve files to anyone, add a bucket policy that allows s3:GetObject for everyone, or make individual objects public with the public-read ACL. For short-lived access, prefer presigned URLs.",
  ],
  [
    "storage-presigned",
    "Presigned URLs",
    "A presigned URL grants temporary access to one object without sharing credentials. Generate it with any S3 SDK pointed at https://fra1.crate.harborlight.cloud, or with hlctl bucket presign my-assets/report.pdf --expires 1h. The longest allowed lifetime is 7 days.",
  ],
  [
    "storage-s3-compat",
    "S3 compatibility",
    "Crate speaks the Amazon S3 API, so existing tools such as the AWS CLI, rclone and boto3 work once you change the endpoint. Path-style and virtual-hosted-style addressing both work. Not supported: S3 Select, object lock in governance mode and requester-pays buckets.",
  ],
  [
    "storage-lifecycle",
    "Lifecycle rules",
    "Lifecycle rules delete or archive objects automatically. A rule matches a prefix or a tag and expires objects after a number of days, or moves them to the cold tier, which costs less per gigabyte but charges for retrieval. Rules run once a day, so deletions are not immediate.",
  ],
  [
    "storage-cors",
    "CORS errors when uploading from a browser",
    "If a browser upload fails with 'No Access-Control-Allow-Origin header', the bucket has no CORS configuration for your site. Add a rule that allows your origin, the PUT and POST methods and the Content-Type header. Changes take up to a minute to apply.",
  ],
  [
    "storage-versioning",
    "Object versioning",
    "With versioning enabled, overwriting or deleting an object keeps the previous version, so an accidental delete can be undone by restoring an older version. Every version is billed as stored data, so pair versioning with a lifecycle rule that expires noncurrent versions after 30 days.",
  ],
  [
    "storage-large-upload",
    "Uploading large files",
    "A single PUT request is limited to 5 GB. For larger files use multipart upload, which sends parts of 5 MB to 5 GB in parallel and retries failed parts individually. The AWS CLI and rclone switch to multipart uploads automatically.",
  ],
  // Managed PostgreSQL
  [
    "db-create",
    "Creating a Tidepool database cluster",
    "Tidepool runs managed PostgreSQL 15, 16 and 17. Choose a plan, a region and the number of standby nodes; a cluster with a standby fails over automatically. Connection details, including the CA certificate, appear on the Overview tab once the cluster is ready, usually within five minutes.",
  ],
  [
    "db-connection-limit",
    "Too many database connections",
    "Each plan has a maximum number of connections, for example 97 on the 4 GB plan. When an application gets 'FATAL: sorry, too many clients already', enable the built-in connection pooler (PgBouncer in transaction mode) and point the application at port 25061 instead of 25060.",
  ],
  [
    "db-failover",
    "How database failover works",
    "If the primary node stops responding for 30 seconds, a standby is promoted and the cluster hostname is pointed at it. Open connections are dropped, so applications must reconnect; most drivers do this on their own. Without a standby node, recovery means replacing the node, which takes several minutes.",
  ],
  [
    "db-backups",
    "Database backups and point-in-time recovery",
    "Tidepool takes a full backup every day and archives the write-ahead log continuously, so you can restore to any second of the last 7 days (14 days on business plans). A restore always creates a new cluster; the original is left untouched.",
  ],
  [
    "db-upgrade",
    "Upgrading to a new major PostgreSQL version",
    "Major version upgrades, for example from 15 to 16, run pg_upgrade on the cluster. Try the upgrade on a fork of the cluster first; during the upgrade itself the cluster is read-only for a few minutes. Every extension you use must exist in the target version.",
  ],
  [
    "db-extensions",
    "Supported PostgreSQL extensions",
    "pgvector, PostGIS, pg_stat_statements, pg_trgm, uuid-ossp, hstore and citext are available. Enable one with CREATE EXTENSION while connected as tideadmin. Extensions that need superuser rights or load other shared libraries cannot be installed.",
  ],
  [
    "db-slow-queries",
    "Finding slow queries",
    "Enable pg_stat_statements and sort by total_exec_time to see which statements use the most time. The Insights tab charts the slowest statements of the last 24 hours. Missing indexes are the most common cause: look for sequential scans on large tables in the EXPLAIN ANALYZE output.",
  ],
  [
    "db-trusted-sources",
    "Restricting database access to trusted sources",
    "By default a new cluster accepts connections from anywhere that presents the right password. Add trusted sources (instances, Fleet clusters or IP ranges) to reject all other traffic at the firewall. Connections from a source not on the list time out rather than being refused.",
  ],
  [
    "db-disk-full",
    "Database storage is full",
    "When storage reaches 90 percent, the cluster turns read-only to protect your data, and writes fail with 'could not extend file'. Add storage from the Resize tab, which grows online without downtime, or delete data and run VACUUM FULL. Storage can be increased but never decreased.",
  ],
  // Cache
  [
    "cache-eviction",
    "Eddy eviction policies",
    "When an Eddy cache is full it evicts keys according to its policy; the default is allkeys-lru. Choose noeviction if losing keys is not acceptable: writes then fail with an OOM error instead. Watch the evicted_keys metric to see how often it happens.",
  ],
  [
    "cache-tls",
    "Connecting to Eddy with TLS",
    "Eddy only accepts encrypted connections. Use rediss:// URLs (two s), port 25061, and turn on TLS in your client; redis-cli needs the --tls flag. Connections without TLS are closed at once, which clients often report as 'connection reset by peer'.",
  ],
  [
    "cache-persistence",
    "Is data in Eddy persisted?",
    "Eddy writes a snapshot every 15 minutes, so a restart may lose up to 15 minutes of writes. Use it as a cache or for data you can rebuild, never as the only copy of important data.",
  ],
  // Load balancers
  [
    "lb-create",
    "Creating a load balancer",
    "A load balancer spreads incoming traffic across the instances that carry a tag. Create it in the same region as the instances, add forwarding rules (for example HTTPS 443 to HTTP 8080) and a health check. DNS takes a few minutes to point at the new address.",
  ],
  [
    "lb-health-check",
    "Load balancer marks healthy instances as down",
    "Health checks run every 10 seconds against the path and port you configured, and three failures in a row remove an instance from rotation. Make sure the health check path returns 200 without authentication and that the instance firewall allows traffic from the load balancer's private network.",
  ],
  [
    "lb-ssl",
    "HTTPS certificates on load balancers",
    "Upload your own certificate, or let Harborlight issue a free Let's Encrypt certificate for domains managed in Harborlight DNS. Certificates renew automatically 30 days before they expire. TLS is terminated at the load balancer, so instances receive plain HTTP unless you choose TLS passthrough.",
  ],
  [
    "lb-sticky",
    "Sticky sessions",
    "Sticky sessions send a visitor to the same instance for the lifetime of a cookie named HL-LB. Enable them when application state is kept in memory on each instance; a shared session store such as an Eddy cache is a better long-term solution.",
  ],
  [
    "lb-502",
    "502 Bad Gateway from a load balancer",
    "A 502 means the load balancer found no healthy backend or the backend closed the connection. Check the health of each instance, that the application listens on the target port on the private interface, and that keep-alive timeouts on the backend are longer than the load balancer's idle timeout of 60 seconds.",
  ],
  // DNS
  [
    "dns-add-domain",
    "Adding a domain",
    "Add the domain under Networking > Domains, then change the name servers at your registrar to ns1.harborlight.cloud, ns2.harborlight.cloud and ns3.harborlight.cloud. Propagation can take up to 48 hours, though most resolvers pick up the change within an hour.",
  ],
  [
    "dns-records",
    "DNS record types",
    "Harborlight DNS supports A, AAAA, CNAME, MX, TXT, SRV, CAA and NS records. A CNAME cannot be created at the apex of a zone (example.com); use an A record that points at the load balancer's IP address, or an ALIAS record.",
  ],
  [
    "dns-ttl",
    "TTL and cached records",
    "Resolvers cache a record for its TTL, 3600 seconds by default. Before a migration, lower the TTL to 300 a day in advance so the change reaches users quickly. A change to the TTL itself only takes effect once the old TTL has expired.",
  ],
  [
    "dns-email",
    "Email records: MX, SPF and DKIM",
    "Harborlight does not host mailboxes, but you can publish the records your mail provider gives you: MX records with priorities, an SPF TXT record such as v=spf1 include:_spf.mailprovider.com ~all, and DKIM keys as TXT records under a selector.",
  ],
  // Identity and access
  [
    "iam-api-token",
    "Creating an API token",
    "API tokens authenticate the CLI, Terraform and direct API calls. Create one under Account > API tokens, choose read or read-write scope and an expiry, and copy it immediately: it is shown only once. Keep it in a secret manager, never in a repository.",
  ],
  [
    "iam-token-rotate",
    "Rotating API tokens",
    "To rotate a token without downtime, create a second token, deploy it everywhere the old one is used, watch the Last used column until the old token shows no traffic, then revoke it. Revocation takes effect within a minute.",
  ],
  [
    "iam-roles",
    "Team roles",
    "Team members have one of four roles: Owner (everything, including billing and deleting the team), Admin (all resources, no billing), Member (create and manage resources) and Viewer (read-only). Only an Owner can transfer ownership of the team.",
  ],
  [
    "iam-sso",
    "Single sign-on with SAML",
    "Business teams can require sign-in through an identity provider such as Okta, Entra ID or Google Workspace using SAML 2.0. Upload the provider's metadata under Team > Security, test with one account, then enforce SSO for everyone. Owners keep a password login as a break-glass account.",
  ],
  [
    "iam-2fa",
    "Two-factor authentication",
    "Turn on two-factor authentication under Profile > Security with an authenticator app or a hardware security key (WebAuthn). Save the recovery codes: short of contacting support with proof of identity, they are the only way in if you lose the device.",
  ],
  [
    "iam-lost-2fa",
    "Signing in after losing your second factor",
    "If you lost your authenticator device, sign in with one of the recovery codes you saved when you enabled two-factor authentication, then set up the new device. Without recovery codes, open a ticket from the sign-in page; support verifies your identity with a payment card on file, which takes one to three business days.",
  ],
  [
    "iam-audit-log",
    "Audit log",
    "The audit log records who did what: sign-ins, token creation, resource changes and permission changes, with IP address and time. Owners and Admins can browse 90 days in the console, export the log as JSON lines or stream it to a bucket.",
  ],
  // Billing
  [
    "billing-invoice",
    "Invoices and receipts",
    "Invoices are issued on the first day of each month for the previous month's usage and charged to the default payment method. Download PDF invoices under Billing > History. To show a VAT number or a company address on future invoices, edit Billing > Details.",
  ],
  [
    "billing-payment-failed",
    "When a payment fails",
    "If a charge is declined, we retry after 3 and 7 days and email the billing contacts. After 14 days without payment, resources are suspended (stopped, not deleted); after 30 days they may be deleted. Update the card under Billing > Payment methods and choose Pay now.",
  ],
  [
    "billing-budget-alert",
    "Budget alerts",
    "A budget alert emails you when month-to-date spending, or the forecast for the month, exceeds an amount you set. Alerts do not stop resources; to cap costs, combine them with a script that acts on the alert webhook.",
  ],
  [
    "billing-credits",
    "Promotional credits",
    "Credits apply automatically to eligible usage before your card is charged. The Billing page shows the remaining balance and the expiry date; expired credits cannot be extended. Credits do not cover support plans or marketplace software.",
  ],
  [
    "billing-per-second",
    "How usage is metered",
    "Instances, GPU instances and Fleet nodes are billed per second with a 60-second minimum, capped at the monthly price (672 hours). Storage is billed per gigabyte-month, measured hourly. Bandwidth above the free allowance costs 0.01 USD per gigabyte.",
  ],
  [
    "billing-bandwidth",
    "Outbound data transfer",
    "Each instance adds a free outbound transfer allowance to the team's pool (1 TB for the smallest size). Inbound traffic, and traffic over private networks within a region, is free. Overage is billed at 0.01 USD per GB at the end of the month.",
  ],
  [
    "billing-close-account",
    "Closing an account",
    "Delete all resources first: an account with active resources cannot be closed. Then pay any outstanding balance and choose Close account under Account > Settings. Invoices stay available for download for seven years, as tax law requires.",
  ],
  // Kubernetes
  [
    "fleet-create",
    "Creating a Fleet Kubernetes cluster",
    "Fleet runs managed Kubernetes: the control plane is free and you pay for worker nodes. Create a cluster with at least one node pool, then save the kubeconfig with hlctl fleet kubeconfig save my-cluster so kubectl can reach it. Clusters are ready in about six minutes.",
  ],
  [
    "fleet-autoscale",
    "Node pool autoscaling",
    "Enable autoscaling on a node pool with a minimum and a maximum number of nodes. The cluster autoscaler adds nodes when pods cannot be scheduled for lack of CPU or memory, and removes nodes that stay underused for 10 minutes. Pods must declare resource requests for this to work.",
  ],
  [
    "fleet-upgrade",
    "Upgrading Kubernetes versions",
    "Each minor version is supported for 14 months. Upgrades replace nodes one at a time, draining each first, so workloads with a single replica see a short interruption. Enable surge upgrades to add a new node before an old one is removed.",
  ],
  [
    "fleet-pvc",
    "Persistent volumes in Fleet",
    "The harbor-block storage class provisions block storage volumes for PersistentVolumeClaims. These volumes are ReadWriteOnce: they attach to one node at a time. For storage shared by several pods, use an NFS server or Crate object storage.",
  ],
  [
    "fleet-ingress",
    "Exposing Kubernetes services to the internet",
    "A Service of type LoadBalancer creates a Harborlight load balancer automatically; annotations set its size, protocol and certificate. To serve many hostnames through one load balancer, install an ingress controller such as ingress-nginx behind a single LoadBalancer service.",
  ],
  [
    "fleet-imagepull",
    "Pods stuck in ImagePullBackOff",
    "ImagePullBackOff means the node could not download the container image. Check the image name and tag, and that the cluster can authenticate to private registries: link the Harborlight container registry to the cluster, or create an imagePullSecret for any other registry.",
  ],
  [
    "fleet-registry",
    "Container registry",
    "The Harborlight container registry stores Docker and OCI images close to your clusters. Log in with hlctl registry login, then docker push registry.harborlight.cloud/team/image:tag. Garbage collection removes untagged layers and frees storage.",
  ],
  // Functions
  [
    "sparks-deploy",
    "Deploying a Sparks function",
    "Sparks runs Node.js 20 and 22, Python 3.12 and Go 1.23 functions. Put each function in its own folder with a project.yml, then run hlctl sparks deploy . from the project root. Each function gets an HTTPS URL; add web: false to keep it private.",
  ],
  [
    "sparks-timeout",
    "Function timeouts and limits",
    "A function may run for up to 15 minutes (60 seconds by default), use up to 2 GB of memory and return responses of up to 6 MB. Raise the timeout in project.yml under limits. Requests that run longer than the limit are stopped and answered with 504.",
  ],
  [
    "sparks-cold-start",
    "Cold starts",
    "The first request after a period of inactivity starts a new container, which adds 200 to 900 milliseconds depending on the runtime and the package size. Keep packages small and set minimum instances to 1 on latency-sensitive functions; a warm instance is billed while idle.",
  ],
  [
    "sparks-env",
    "Environment variables and secrets in functions",
    "Declare environment variables in project.yml; values written as $NAME are read from a .env file at deploy time and never stored in the repository. For secrets shared with other services, reference a Vault secret instead.",
  ],
  [
    "sparks-schedule",
    "Scheduled functions",
    "Add a trigger with a cron expression to project.yml to run a function on a schedule, for example '0 3 * * *' for every night at 03:00 UTC. Schedules use UTC and have one-minute granularity; a run that would overlap the previous one is skipped.",
  ],
  // Queues
  [
    "relay-visibility",
    "Visibility timeout and duplicate messages",
    "When a consumer receives a message, it is hidden for the visibility timeout (30 seconds by default). If it is not deleted before the timeout ends, it becomes visible again and another consumer receives it. Long-running consumers should extend the timeout, and every consumer should be idempotent, because delivery is at-least-once.",
  ],
  [
    "relay-dead-letter",
    "Dead-letter queues",
    "Set a maximum receive count and a dead-letter queue to move messages that keep failing out of the way. Inspect dead-lettered messages in the console, fix the consumer, then redrive them back to the source queue.",
  ],
  [
    "relay-fifo",
    "Message ordering in Relay",
    "Standard queues do not guarantee order. FIFO queues deliver messages that share a group id in the order they were sent, at up to 300 messages per second per group.",
  ],
  // Monitoring
  [
    "beacon-alert-cpu",
    "Alerting on high CPU",
    "Create an alert policy under Monitoring > Alerts: choose the CPU utilisation metric, a threshold such as 80 percent and a window such as 5 minutes, so short spikes do not page anyone. Notifications go to email, Slack or a webhook.",
  ],
  [
    "beacon-agent",
    "Installing the metrics agent",
    "Memory and disk metrics need the Beacon agent inside the instance; CPU and network metrics are collected without it. Install it with curl -sSL https://repos.harborlight.cloud/install.sh | sudo bash, or select Monitoring when you create the instance.",
  ],
  [
    "beacon-uptime",
    "Uptime checks",
    "Uptime checks request a URL or ping a host from four regions every minute and alert when two regions fail. They also warn 14 days before a TLS certificate expires. Latency history is kept for 90 days.",
  ],
  [
    "beacon-logs",
    "Forwarding logs",
    "Beacon does not store application logs. Forward them from instances and Fleet clusters to a log service with the OpenTelemetry collector or Fluent Bit; Fleet clusters can also forward logs to a managed OpenSearch cluster from the cluster settings.",
  ],
  // Backups
  [
    "backup-enable",
    "Automatic instance backups",
    "Automatic backups take a full image of an instance once a week and keep the last four. They cost 20 percent of the instance price. Turn them on when you create the instance, or later from its Backups tab.",
  ],
  [
    "backup-snapshot",
    "Snapshots",
    "A snapshot is a point-in-time image of an instance or a volume that you take by hand, for example before an upgrade. Snapshots of running instances are crash-consistent; for a consistent database copy, stop writes or power off first. Snapshots cost 0.06 USD per GB-month.",
  ],
  [
    "backup-restore",
    "Restoring an instance from a backup",
    "Restore a backup onto the same instance, which overwrites its disk, or create a new instance from it. Restoring onto the same instance keeps its IP address; a new instance gets a new address unless you move a reserved IP to it.",
  ],
  [
    "backup-cross-region",
    "Copying snapshots to another region",
    "For disaster recovery, copy a snapshot to another region from its menu. Transfers take from minutes to hours depending on size and are billed as snapshot storage in both regions.",
  ],
  // Networking
  [
    "net-vpc",
    "Private networks",
    "Every resource gets an address on the private network of its region. Traffic between resources on the same private network is free and never leaves the data center. Create extra networks to isolate environments such as staging and production; a resource cannot move between networks without being recreated.",
  ],
  [
    "net-firewall",
    "Cloud firewalls",
    "Cloud firewalls filter traffic before it reaches instances. Inbound rules allow traffic by protocol, port and source (IP ranges, tags, load balancers); all other inbound traffic is dropped. Outbound traffic is allowed unless you add outbound rules. A firewall applies to every instance with a matching tag.",
  ],
  [
    "net-reserved-ip",
    "Reserved IP addresses",
    "A reserved IP is a static public address that you can move between instances in the same region, for example to fail over to a standby server. Unassigned reserved IPs cost 4 USD per month; assigned ones are free.",
  ],
  [
    "net-vpn",
    "Site-to-site VPN",
    "The VPN gateway connects a private network to an on-premises network over IPsec (IKEv2). Enter your router's public IP and the address ranges on both sides; the ranges must not overlap. Two tunnels are created for redundancy, so configure both on your router.",
  ],
  [
    "net-port25",
    "Outbound traffic on port 25 is blocked",
    "To fight spam, new accounts cannot send traffic on port 25. Use a transactional email service on port 587 or 465, or request unblocking after 60 days of account history with a description of your mail volume.",
  ],
  [
    "net-ipv6",
    "IPv6 addresses",
    "Instances in every region can get an IPv6 address: enable it at creation or from the Networking tab, then configure the interface if the image does not use cloud-init. Load balancers and Fleet clusters accept IPv6 traffic as well.",
  ],
  // Secrets
  [
    "vault-store",
    "Storing secrets in Vault",
    "Vault stores secrets such as database passwords and API keys, encrypted with a per-team key. Create a secret with hlctl vault put prod/db-password, then grant read access to specific instances, functions or Fleet service accounts.",
  ],
  [
    "vault-rotation",
    "Automatic rotation of database passwords",
    "Vault can rotate the password of a Tidepool database user on a schedule, updating the database and the stored secret together. Applications must read the secret when they connect rather than caching it at startup.",
  ],
  // CDN
  [
    "cdn-enable",
    "Serving a bucket through the CDN",
    "Enable the CDN on a bucket to cache its public objects at 40 edge locations. Set a custom domain with a certificate and choose an edge cache TTL; the default is one hour.",
  ],
  [
    "cdn-purge",
    "Stale files after an update",
    "When you overwrite a file, edge locations keep serving the cached copy until its TTL expires. Purge the path from the CDN settings or with hlctl cdn purge my-assets --path '/css/*'. Versioned file names such as app.3f9a.css avoid purging altogether.",
  ],
  // CLI and API
  [
    "cli-install",
    "Installing hlctl",
    "hlctl runs on Linux, macOS and Windows. Install it with Homebrew (brew install hlctl), the Debian package, or the binary from the releases page. Run hlctl auth init and paste an API token to connect it to your team.",
  ],
  [
    "cli-contexts",
    "Using several teams from the CLI",
    "hlctl keeps one authentication context per team. Add another with hlctl auth init --context client-b and switch with hlctl auth switch --context client-b, or pass --context to a single command.",
  ],
  [
    "api-rate-limit",
    "API rate limits",
    "The API allows 5,000 requests per hour and 250 per minute for each token. Responses carry RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers; past the limit the API answers 429 Too Many Requests. Back off until the reset time instead of retrying at once.",
  ],
  [
    "api-terraform",
    "Terraform provider",
    "The harborlight/harborlight Terraform provider manages instances, databases, DNS, load balancers and more. Configure it with an API token in the HARBORLIGHT_TOKEN environment variable. Bring existing resources under management with terraform import.",
  ],
  [
    "api-pagination",
    "Pagination in the API",
    "List endpoints return 20 items per page by default and up to 200 with per_page. Follow the links.pages.next URL until it is absent; do not build page URLs yourself, because the cursor format may change.",
  ],
  // Account and support
  [
    "support-plans",
    "Support plans",
    "Every account gets ticket support with a first answer within 24 hours. The Standard plan answers within 4 hours and adds chat; Premium answers urgent tickets within 30 minutes, around the clock, with a named technical account manager.",
  ],
  [
    "support-ticket",
    "Writing a good support ticket",
    "Include the resource ids, the region, when the problem started (with the time zone), what you expected and what happened, and any error message word for word. Never paste API tokens or passwords; support will never ask for them.",
  ],
  [
    "account-transfer",
    "Moving resources between teams",
    "Instances, volumes, snapshots and domains can be moved to another team you belong to from the resource's Settings tab. Databases and Fleet clusters cannot be moved; recreate them in the target team and migrate the data.",
  ],
  [
    "account-regions",
    "Regions and data residency",
    "Harborlight operates regions in Frankfurt (fra1), Amsterdam (ams3), New York (nyc2), San Francisco (sfo3), Singapore (sgp1) and Sydney (syd1). Data stays in the region you choose; backups are stored in the same region unless you copy them elsewhere.",
  ],
  [
    "account-sla",
    "Service level agreement",
    "Compute, block storage and load balancers carry a 99.99 percent monthly uptime commitment, and Tidepool clusters with a standby node 99.95 percent. If we miss it, request a credit within 30 days; credits range from 10 to 30 percent of the affected service's monthly charge.",
  ],
];

// Queries as a user would type them, with graded judgments: 2 answers the question, 1 helps in part.
const queries = [
  ["my server needs more RAM, how do I move it to a bigger plan", { "compute-resize": 2 }],
  [
    "ssh keeps saying permission denied (publickey) on my new VM",
    { "compute-ssh-denied": 2, "compute-recovery-console": 1 },
  ],
  [
    "locked out of my instance and the network is broken, I need keyboard access",
    { "compute-recovery-console": 2, "compute-ssh-denied": 1 },
  ],
  [
    "do I still pay for a machine that is powered off",
    { "compute-stopped-billing": 2, "billing-per-second": 1, "price-compute": 1 },
  ],
  ["cannot launch more servers, limit reached", { "compute-quota": 2 }],
  ["run a bash script automatically the first time a server boots", { "compute-metadata": 2 }],
  ["which machines have graphics cards for training models", { "compute-gpu": 2, "compute-quota": 1 }],
  [
    "share a private file with a customer for a few hours without opening the bucket",
    { "storage-presigned": 2, "storage-public": 1 },
  ],
  [
    "let website visitors download images stored in my bucket",
    { "storage-public": 2, "cdn-enable": 1, "storage-presigned": 1 },
  ],
  ["can I keep using boto3 and the aws command line with your object storage", { "storage-s3-compat": 2 }],
  [
    "automatically remove old log files from storage after a month",
    { "storage-lifecycle": 2, "storage-versioning": 1 },
  ],
  ["upload from javascript in the browser is blocked by access-control-allow-origin", { "storage-cors": 2 }],
  ["get back a file that I overwrote by mistake in a bucket", { "storage-versioning": 2 }],
  ["uploading a 40 GB video file to storage fails", { "storage-large-upload": 2 }],
  ["postgres says sorry, too many clients already", { "db-connection-limit": 2 }],
  [
    "what happens to my database when the primary server crashes",
    { "db-failover": 2, "db-create": 1, "account-sla": 1 },
  ],
  ["bring the database back to how it was yesterday afternoon", { "db-backups": 2 }],
  ["move my database from postgres 15 to 16", { "db-upgrade": 2, "db-extensions": 1 }],
  ["can I store embeddings with pgvector", { "db-extensions": 2 }],
  ["the database became slow, how to see which statements take longest", { "db-slow-queries": 2 }],
  [
    "only my application servers should be able to reach the database",
    { "db-trusted-sources": 2, "net-firewall": 1 },
  ],
  ["inserts fail with could not extend file", { "db-disk-full": 2 }],
  ["redis keys disappear when memory is full", { "cache-eviction": 2, "cache-persistence": 1 }],
  ["redis-cli connection reset by peer", { "cache-tls": 2 }],
  ["distribute traffic between three web servers", { "lb-create": 2, "fleet-ingress": 1 }],
  ["balancer says my backend is unhealthy but the site works fine", { "lb-health-check": 2, "lb-502": 1 }],
  ["free https certificate for my domain", { "lb-ssl": 2, "dns-add-domain": 1 }],
  ["users get logged out because their requests land on different servers", { "lb-sticky": 2 }],
  ["intermittent bad gateway errors", { "lb-502": 2, "lb-health-check": 1 }],
  ["use a domain name bought at another registrar", { "dns-add-domain": 2, "dns-records": 1 }],
  ["cname on the root domain is not allowed", { "dns-records": 2 }],
  ["dns change still not visible for some users", { "dns-ttl": 2, "dns-add-domain": 1 }],
  ["configure spf and dkim so my emails are not marked as spam", { "dns-email": 2, "net-port25": 1 }],
  ["generate credentials for terraform", { "iam-api-token": 2, "api-terraform": 2 }],
  ["replace an api key without breaking production", { "iam-token-rotate": 2, "iam-api-token": 1 }],
  ["give our accountant read only access", { "iam-roles": 2 }],
  ["log in with okta", { "iam-sso": 2 }],
  ["lost the phone with my authenticator app and can't log in", { "iam-lost-2fa": 2, "iam-2fa": 1 }],
  ["find out who deleted our load balancer yesterday", { "iam-audit-log": 2 }],
  ["add our VAT number to the invoice", { "billing-invoice": 2 }],
  ["my card was declined, what happens to my servers", { "billing-payment-failed": 2 }],
  ["get notified when spending goes over 500 dollars", { "billing-budget-alert": 2 }],
  ["promotional credits were not used for the support plan", { "billing-credits": 2, "support-plans": 1 }],
  [
    "how is data transfer charged",
    { "billing-bandwidth": 2, "billing-per-second": 1, "price-networking": 1 },
  ],
  ["delete my account permanently", { "billing-close-account": 2 }],
  ["set up a kubernetes cluster and connect kubectl to it", { "fleet-create": 2 }],
  ["kubernetes should add machines automatically under load", { "fleet-autoscale": 2 }],
  ["pods cannot pull the image from our private registry", { "fleet-imagepull": 2, "fleet-registry": 1 }],
  ["a volume shared between several pods", { "fleet-pvc": 2 }],
  ["make a kubernetes service reachable from the internet", { "fleet-ingress": 2, "lb-create": 1 }],
  ["where can I push my docker images", { "fleet-registry": 2 }],
  ["my serverless function returns 504 after a minute", { "sparks-timeout": 2 }],
  ["the first call to my function is slow", { "sparks-cold-start": 2 }],
  ["run a job every night at 3am without keeping a server", { "sparks-schedule": 2 }],
  ["the same message gets processed twice by my workers", { "relay-visibility": 2, "relay-fifo": 1 }],
  ["messages that keep failing block the queue", { "relay-dead-letter": 2 }],
  ["alert me when processor usage stays above 80%", { "beacon-alert-cpu": 2 }],
  ["the memory usage graph of my server is empty", { "beacon-agent": 2 }],
  ["notify me when my website goes down", { "beacon-uptime": 2, "beacon-alert-cpu": 1 }],
  [
    "take a copy of the server before upgrading the operating system",
    { "backup-snapshot": 2, "backup-enable": 1 },
  ],
  ["roll back a VM to last week's backup", { "backup-restore": 2, "backup-enable": 1 }],
  ["keep a disaster recovery copy in another datacenter", { "backup-cross-region": 2, "account-regions": 1 }],
  ["isolate staging from production", { "net-vpc": 2, "net-firewall": 1 }],
  ["block every port except 443", { "net-firewall": 2 }],
  ["a fixed ip address that can move to a standby server", { "net-reserved-ip": 2 }],
  ["connect our office network to the cloud over ipsec", { "net-vpn": 2 }],
  ["can't send mail from my server, smtp connection times out", { "net-port25": 2, "dns-email": 1 }],
  [
    "keep the database password out of the source code",
    { "vault-store": 2, "sparks-env": 1, "vault-rotation": 1 },
  ],
  ["old css still served after a deploy", { "cdn-purge": 2 }],
  ["manage two customers' accounts with the command line tool", { "cli-contexts": 2, "cli-install": 1 }],
  ["the api returns 429", { "api-rate-limit": 2 }],
  ["the list endpoint only returns 20 results", { "api-pagination": 2 }],
  ["how fast does support reply", { "support-plans": 2, "support-ticket": 1 }],
  ["compensation for downtime", { "account-sla": 2 }],
  ["in which countries can my data be stored", { "account-regions": 2 }],
  ["hand over a server to a colleague's team", { "account-transfer": 2 }],
];

// Distractors. Services and their vocabulary, shared by release notes, incidents, prices and API pages.
const services = {
  compute: { name: "Compute", resource: "instances", region: true },
  storage: { name: "Crate object storage", resource: "buckets", region: true },
  db: { name: "Tidepool PostgreSQL", resource: "database clusters", region: true },
  cache: { name: "Eddy cache", resource: "cache clusters", region: true },
  lb: { name: "Load balancers", resource: "load balancers", region: true },
  dns: { name: "DNS", resource: "domains", region: false },
  iam: { name: "Identity and access", resource: "API tokens", region: false },
  billing: { name: "Billing", resource: "invoices", region: false },
  fleet: { name: "Fleet Kubernetes", resource: "clusters", region: true },
  sparks: { name: "Sparks functions", resource: "functions", region: true },
  relay: { name: "Relay queues", resource: "queues", region: true },
  beacon: { name: "Beacon monitoring", resource: "alert policies", region: false },
  backup: { name: "Backups and snapshots", resource: "snapshots", region: true },
  networking: { name: "Networking", resource: "private networks", region: true },
  vault: { name: "Vault secrets", resource: "secrets", region: false },
  cdn: { name: "CDN", resource: "CDN endpoints", region: false },
  api: { name: "API and hlctl", resource: "API requests", region: false },
};

// One line per new feature or change, written like a changelog entry.
const features = {
  compute: [
    "New m3 sizes offer up to 64 vCPUs and 256 GB of memory.",
    "Instances can now be created from a custom image uploaded as qcow2.",
    "The console shows the kernel version of each running instance.",
    "Rocky Linux 9.5 and Fedora 41 images are available.",
  ],
  storage: [
    "Buckets can now be created in the syd1 region.",
    "The console previews images and PDF files stored in a bucket.",
    "Object listing is up to three times faster for buckets with millions of objects.",
    "Bucket metrics now include request counts by method.",
  ],
  db: [
    "PostgreSQL 17 is available for new Tidepool clusters.",
    "Read-only replicas can now be placed in a different region.",
    "The Logs tab streams the PostgreSQL server log in real time.",
    "Clusters can be forked from any point in the backup window.",
  ],
  cache: [
    "Eddy clusters now run Valkey 8.",
    "Cache clusters can be resized without a restart.",
    "The keyspace statistics chart shows hits and misses per minute.",
    "Eddy is now available in sgp1.",
  ],
  lb: [
    "Load balancers support HTTP/2 to backends.",
    "Forwarding rules can route by path prefix.",
    "The connection count chart now has a one-minute resolution.",
    "Load balancers can be resized from small to large without a new address.",
  ],
  dns: [
    "DNS zones can be imported from a BIND zone file.",
    "The record editor validates CAA records before saving.",
    "DNSSEC signing is available for all domains.",
    "The API returns the serial number of each zone.",
  ],
  iam: [
    "API tokens can be limited to a list of IP ranges.",
    "Team invitations now expire after seven days.",
    "Custom roles are available in beta for business teams.",
    "The sign-in page supports passkeys.",
  ],
  billing: [
    "Invoices can be paid by bank transfer in EUR and GBP.",
    "The usage page breaks costs down by project.",
    "Billing contacts can receive a weekly spending summary.",
    "Cost exports are available as CSV from the API.",
  ],
  fleet: [
    "Kubernetes 1.31 is available for Fleet clusters.",
    "Node pools can use GPU sizes.",
    "The control plane can be made highly available for a monthly fee.",
    "Fleet clusters support the Gateway API.",
  ],
  sparks: [
    "Sparks adds the Node.js 22 runtime.",
    "Functions can be triggered by messages arriving in a Relay queue.",
    "The activation log shows the memory used by each run.",
    "Deployments show a diff of the functions that changed.",
  ],
  relay: [
    "Relay queues accept messages up to 1 MB.",
    "Message retention can be set up to 14 days.",
    "The console can send test messages to a queue.",
    "Queue depth is now available as a Beacon metric.",
  ],
  beacon: [
    "Alert policies can notify PagerDuty and Opsgenie.",
    "Dashboards can be shared with read-only links.",
    "Metrics are kept for 13 months instead of 3.",
    "The agent supports ARM64 instances.",
  ],
  backup: [
    "Snapshots can be tagged and filtered by tag.",
    "Backups of volumes attached to Fleet nodes are in beta.",
    "The snapshot list shows the size of each snapshot.",
    "Snapshots older than a chosen age can be deleted in bulk.",
  ],
  networking: [
    "Private networks can be peered across teams.",
    "Firewalls support rules that reference other firewalls.",
    "The network map shows which resources share a private network.",
    "NAT gateways are available for instances without a public address.",
  ],
  vault: [
    "Secrets can have several versions with labels.",
    "Vault records every read of a secret in the audit log.",
    "Secrets can be mounted as files in Fleet pods.",
    "Access policies can be written in the console.",
  ],
  cdn: [
    "The CDN adds edge locations in Johannesburg and Lima.",
    "Custom error pages can be served from the bucket.",
    "Brotli compression is enabled for text files.",
    "Cache hit ratio is shown per hour.",
  ],
  api: [
    "hlctl can print any output as YAML.",
    "The API supports idempotency keys on create requests.",
    "hlctl completes resource names in bash and zsh.",
    "The OpenAPI description is published with every release.",
  ],
};

const fixes = [
  "Fixed a bug that showed the wrong region in the activity feed.",
  "Fixed a console error when a name contained an emoji.",
  "Improved the speed of the resource list in the console.",
  "Error messages now include a request id to quote to support.",
  "Fixed a rare case where a progress bar stayed at 99 percent.",
  "The documentation links in the console now open the right page.",
  "Fixed sorting by creation date in several tables.",
  "Timestamps are shown in the browser's time zone.",
];

const months = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const regions = ["fra1", "ams3", "nyc2", "sfo3", "sgp1", "syd1"];

// Symptoms and causes of incidents, per service: they reuse the words users type when something breaks.
const symptoms = {
  compute: [
    "instance creation requests stayed in the pending state",
    "some instances lost network connectivity",
    "the recovery console failed to open",
  ],
  storage: [
    "uploads to buckets failed with 503 Slow Down errors",
    "listing objects returned timeouts",
    "presigned URL requests returned 403 errors",
  ],
  db: [
    "some database clusters refused new connections",
    "backups of some database clusters were delayed",
    "queries on some clusters showed increased latency",
  ],
  cache: ["some cache clusters restarted and lost recent writes", "connections to cache clusters were reset"],
  lb: [
    "load balancers returned 502 errors for a part of the requests",
    "health checks marked backends as down",
    "certificate renewals were delayed",
  ],
  dns: ["DNS changes took up to 40 minutes to propagate", "some DNS queries returned SERVFAIL"],
  iam: ["sign-ins with SAML single sign-on failed", "API token creation returned errors"],
  billing: ["invoices showed duplicate line items", "card payments were declined by mistake"],
  fleet: [
    "new pods could not pull images from the container registry",
    "cluster upgrades stalled while draining nodes",
    "the cluster autoscaler did not add nodes",
  ],
  sparks: [
    "functions showed increased cold start latency",
    "deployments of functions failed",
    "scheduled functions ran late",
  ],
  relay: ["messages were delivered more than once", "queues rejected new messages"],
  beacon: ["alert notifications were delayed", "metrics charts showed gaps"],
  backup: ["weekly backups did not start", "snapshot restores took longer than usual"],
  networking: [
    "traffic between private networks was dropped",
    "the VPN gateway renegotiated tunnels repeatedly",
    "reserved IP reassignment was slow",
  ],
  vault: ["secret reads returned errors for some functions"],
  cdn: ["the CDN served stale files after a purge", "edge locations returned 504 errors"],
  api: ["the API returned 429 errors below the documented rate limit", "hlctl commands timed out"],
};
const causes = [
  "A configuration change rolled out to one availability zone caused the problem; it was rolled back.",
  "A failed network switch reduced capacity until traffic was moved to redundant hardware.",
  "A software update to the control plane contained a bug; the previous version was restored.",
  "An expired internal certificate interrupted communication between two services; it was renewed.",
  "Unusually high demand exhausted a connection pool; capacity was added.",
  "A storage node ran out of disk space; data was rebalanced to other nodes.",
];

const priceLines = {
  compute:
    "Shared CPU sizes start at 6 USD per month (1 vCPU, 1 GB). Dedicated CPU sizes start at 42 USD per month. GPU sizes start at 1.10 USD per hour.",
  storage:
    "Storage costs 0.02 USD per GB-month in the standard tier and 0.004 USD in the cold tier. Requests cost 0.005 USD per 1,000 PUT requests; GET requests are free.",
  db: "Tidepool plans start at 15 USD per month for 1 GB of memory and 10 GB of storage. Standby nodes cost the same as the primary. Extra storage costs 0.21 USD per GB-month.",
  cache:
    "Eddy plans start at 15 USD per month for 1 GB of memory. Standby nodes cost the same as the primary.",
  lb: "A small load balancer costs 12 USD per month and handles 10,000 concurrent connections; large ones cost 48 USD.",
  dns: "DNS hosting is free for up to 100 domains per team.",
  fleet:
    "The Fleet control plane is free; the highly available control plane costs 40 USD per month. Nodes cost the same as instances of the same size.",
  sparks: "Sparks costs 0.0000185 USD per GB-second, with 90,000 GB-seconds free each month.",
  relay: "Relay costs 0.40 USD per million requests after the first million each month.",
  beacon: "Metrics, alerts and uptime checks are free; the agent is free.",
  backup: "Automatic backups cost 20 percent of the instance price. Snapshots cost 0.06 USD per GB-month.",
  networking:
    "Private networks are free. Reserved IPs cost 4 USD per month while unassigned. The VPN gateway costs 30 USD per month. Outbound transfer above the allowance costs 0.01 USD per GB.",
  vault: "Vault includes 100 secrets per team; more cost 0.05 USD per secret per month.",
  cdn: "CDN traffic is billed as outbound transfer; there is no extra fee for edge caching.",
};

const endpoints = {
  compute: [
    "GET /v2/instances lists instances",
    "POST /v2/instances creates an instance",
    "POST /v2/instances/{id}/actions performs power, resize and rebuild actions",
    "DELETE /v2/instances/{id} deletes an instance",
  ],
  storage: [
    "GET /v2/buckets lists buckets",
    "POST /v2/buckets creates a bucket",
    "PUT /v2/buckets/{name}/cors replaces the CORS configuration",
    "PUT /v2/buckets/{name}/lifecycle replaces the lifecycle rules",
  ],
  db: [
    "GET /v2/databases lists database clusters",
    "POST /v2/databases creates a cluster",
    "PUT /v2/databases/{id}/pool configures the connection pool",
    "POST /v2/databases/{id}/restore restores into a new cluster",
  ],
  lb: [
    "GET /v2/load_balancers lists load balancers",
    "POST /v2/load_balancers creates one",
    "PUT /v2/load_balancers/{id}/health_check updates the health check",
  ],
  dns: [
    "GET /v2/domains lists domains",
    "POST /v2/domains/{name}/records creates a record",
    "PATCH /v2/domains/{name}/records/{id} updates a record",
  ],
  iam: [
    "GET /v2/tokens lists API tokens",
    "POST /v2/tokens creates a token",
    "DELETE /v2/tokens/{id} revokes a token",
    "GET /v2/audit_log lists audit events",
  ],
  fleet: [
    "GET /v2/fleet/clusters lists clusters",
    "POST /v2/fleet/clusters creates a cluster",
    "GET /v2/fleet/clusters/{id}/kubeconfig returns the kubeconfig",
    "POST /v2/fleet/clusters/{id}/upgrade starts an upgrade",
  ],
  backup: [
    "GET /v2/snapshots lists snapshots",
    "POST /v2/snapshots/{id}/copy copies a snapshot to another region",
    "POST /v2/instances/{id}/actions with type restore restores a backup",
  ],
  networking: [
    "GET /v2/networks lists private networks",
    "POST /v2/firewalls creates a firewall",
    "POST /v2/reserved_ips/{ip}/actions assigns a reserved IP",
  ],
};

function buildCorpus() {
  const documents = articles.map(([id, title, text]) => ({ _id: id, title, text }));

  for (const [service, lines] of Object.entries(features)) {
    lines.forEach((line, index) => {
      const month = months[(index * 3 + Object.keys(features).indexOf(service)) % 12];
      documents.push({
        _id: `release-${service}-${index + 1}`,
        title: `${services[service].name} release notes, ${month} 2026`,
        text: `${line} ${pick(fixes)} ${pick(fixes)}`,
      });
    });
  }

  let incident = 0;
  for (const [service, list] of Object.entries(symptoms)) {
    for (const symptom of list) {
      for (let repeat = 0; repeat < 3; repeat += 1) {
        incident += 1;
        const month = pick(months);
        const day = 1 + Math.floor(random() * 28);
        const start = Math.floor(random() * 22);
        const minutes = 10 + Math.floor(random() * 110);
        const where = services[service].region ? ` in ${pick(regions)}` : "";
        documents.push({
          _id: `incident-${String(incident).padStart(3, "0")}`,
          title: `Incident report: ${services[service].name}${where}, ${month} ${day}`,
          text: `For ${minutes} minutes from ${String(start).padStart(2, "0")}:${String(Math.floor(random() * 60)).padStart(2, "0")} UTC, ${symptom}${where}. ${pick(causes)} No data was lost. We are adding alerts to detect this earlier.`,
        });
      }
    }
  }

  for (const [service, text] of Object.entries(priceLines)) {
    documents.push({ _id: `price-${service}`, title: `Pricing: ${services[service].name}`, text });
  }

  for (const [service, list] of Object.entries(endpoints)) {
    documents.push({
      _id: `api-reference-${service}`,
      title: `API reference: ${services[service].name}`,
      text: `${list.join("; ")}. All endpoints need a bearer API token and return JSON.`,
    });
  }

  const glossary = [
    ["Region", "A region is a group of data centers in one metropolitan area, such as fra1 in Frankfurt."],
    [
      "Availability zone",
      "An availability zone is an isolated part of a region with its own power and network.",
    ],
    ["Tag", "A tag is a label attached to resources; firewalls and load balancers select instances by tag."],
    ["Image", "An image is the operating system template an instance boots from, such as Ubuntu 24.04."],
    ["Volume", "A volume is a block storage device that can be attached to one instance at a time."],
    ["Node pool", "A node pool is a group of identical worker nodes in a Fleet cluster."],
    ["Standby node", "A standby node is a replica of a database that takes over when the primary fails."],
    [
      "Forwarding rule",
      "A forwarding rule maps a protocol and port on a load balancer to a protocol and port on instances.",
    ],
    ["Team", "A team owns resources and a billing account; people join it with a role."],
    ["Context", "A context is a saved set of credentials in hlctl for one team."],
    ["Edge location", "An edge location is a CDN server close to users that caches files from a bucket."],
    ["Consumer", "A consumer is a program that receives and deletes messages from a Relay queue."],
  ];
  for (const [term, text] of glossary) {
    documents.push({
      _id: `glossary-${term.toLowerCase().replaceAll(" ", "-")}`,
      title: `Glossary: ${term}`,
      text,
    });
  }

  // Shuffle (Fisher-Yates, seeded) so judged articles are not all at the top of the file.
  for (let index = documents.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [documents[index], documents[other]] = [documents[other], documents[index]];
  }
  return documents;
}

function main() {
  const corpus = buildCorpus();
  const ids = new Set(corpus.map((document) => document._id));
  if (ids.size !== corpus.length) throw new Error("duplicate document id");
  const queryLines = [];
  const qrelLines = ["query-id\tcorpus-id\tscore"];
  queries.forEach(([text, judgments], index) => {
    const id = `q${String(index + 1).padStart(3, "0")}`;
    queryLines.push(JSON.stringify({ _id: id, text }));
    for (const [documentId, grade] of Object.entries(judgments)) {
      if (!ids.has(documentId)) throw new Error(`query ${id} judges unknown document ${documentId}`);
      qrelLines.push(`${id}\t${documentId}\t${grade}`);
    }
  });
  mkdirSync(join(dataFolder, "qrels"), { recursive: true });
  writeFileSync(
    join(dataFolder, "corpus.jsonl"),
    `${corpus.map((document) => JSON.stringify(document)).join("\n")}\n`,
  );
  writeFileSync(join(dataFolder, "queries.jsonl"), `${queryLines.join("\n")}\n`);
  writeFileSync(join(dataFolder, "qrels", "test.tsv"), `${qrelLines.join("\n")}\n`);
  console.log(
    `${corpus.length} documents, ${queryLines.length} queries, ${qrelLines.length - 1} judgments -> ${dataFolder}`,
  );
}

main();
