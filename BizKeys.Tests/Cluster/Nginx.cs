using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace BizKeys.Tests.Cluster;

/// <summary>
/// Debian's nginx in front of BizKeys instances, configured as docs/deployment.md tells operators (pages sticky by
/// client address with the WebSocket upgrade, the API spread over every instance, forwarded headers), on a free
/// loopback port (no TLS), with every file in its own folder.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly string _directory;

    private Nginx(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Url = $"http://localhost:{port}";
    }

    public string Url { get; }

    public static async Task<Nginx> StartAsync(IEnumerable<Uri> upstreams)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException(
                $"The load-balancer tests need Debian's nginx at {Binary}. Install it with 'apt-get install -y nginx-light' " +
                "(./scripts/test.sh does this for you).");
        var directory = Support.TempDirectory.Create();
        var port = FreePort();
        var servers = string.Join("\n", upstreams.Select(u => $"        server {u.Host}:{u.Port} max_fails=1 fail_timeout=10s;"));
        var config = $$"""
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 256; }
            http {
                access_log {{directory}}/access.log;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;

                upstream bizkeys_pages {
                    ip_hash;
            {{servers}}
                    keepalive 16;
                }

                upstream bizkeys_api {
            {{servers}}
                    keepalive 16;
                }

                map $http_upgrade $connection_upgrade {
                    default upgrade;
                    ''      '';
                }

                server {
                    listen 127.0.0.1:{{port}};
                    proxy_http_version 1.1;
                    proxy_set_header Host $host:$server_port;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_next_upstream error timeout http_502 http_503;
                    add_header X-Upstream $upstream_addr always;

                    location / {
                        proxy_pass http://bizkeys_pages;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_read_timeout 300s;
                    }

                    location /api/ {
                        proxy_pass http://bizkeys_api;
                        proxy_set_header Connection "";
                    }
                }
            }
            """;
        var file = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(file, config);
        var start = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-p", directory, "-c", file, "-g", "daemon off;" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        var nginx = new Nginx(process, directory, port);
        using var probe = new HttpClient();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"nginx stopped at start: {await process.StandardError.ReadToEndAsync()}");
            try
            {
                await probe.GetAsync($"{nginx.Url}/healthz");
                return nginx;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException("nginx did not answer within 5 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true); // its workers too: an orphaned worker would keep the port
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Support.TempDirectory.Delete(_directory);
    }
}
