using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// Behind a TLS-terminating proxy: <c>BizKeys:ForwardedHeaders:KnownProxies</c> lists the proxies' addresses. Only a
/// request that arrives from one of them has its client address and scheme taken from <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c>; IP allowlists, the audit and "last used" then see the real client. With no proxies
/// listed nothing is forwarded, loopback included.
/// </summary>
public static class Proxies
{
    public const string Section = "BizKeys:ForwardedHeaders:KnownProxies";

    public static IServiceCollection AddBizKeysForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = new List<IPAddress>();
        foreach (var entry in configuration.GetSection(Section).Get<string[]>() ?? [])
        {
            if (!IPAddress.TryParse(entry, out var address))
                throw new InvalidOperationException($"{Section} entry '{entry}' is not an IP address; list the proxies' addresses, such as 10.0.0.5.");
            proxies.Add(address);
        }
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownIPNetworks.Clear(); // the defaults trust loopback; here only what the operator lists
#pragma warning disable CS0618, ASPDEPR005 // the older list still holds the loopback default and is still consulted
            o.KnownNetworks.Clear();
#pragma warning restore CS0618, ASPDEPR005
            o.KnownProxies.Clear();
            foreach (var proxy in proxies)
                o.KnownProxies.Add(proxy);
            o.ForwardLimit = 1;
        });
        return services;
    }

    /// <summary>Added only when proxies are listed: with empty lists the framework's middleware would believe anyone.</summary>
    public static IApplicationBuilder UseBizKeysForwardedHeaders(this IApplicationBuilder app, IConfiguration configuration) =>
        configuration.GetSection(Section).Get<string[]>() is { Length: > 0 } ? app.UseForwardedHeaders() : app;
}
