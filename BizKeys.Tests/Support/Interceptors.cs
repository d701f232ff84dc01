using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Support;

public static class Interceptors
{
    /// <summary>Adds EF Core interceptors to every context BizKeys makes, whichever database engine it runs on.</summary>
    public static IServiceCollection AddDbInterceptors(this IServiceCollection services, params IInterceptor[] interceptors)
    {
        foreach (var interceptor in interceptors)
            services.AddSingleton(interceptor);
        if (interceptors.OfType<CommandGate>().Any())
        {
            services.AddSingleton<BizKeys.Core.Verification.SqlKeySource>();
            services.AddSingleton<BizKeys.Core.Verification.IKeySource, GatedKeySource>();
        }
        return services;
    }
}
