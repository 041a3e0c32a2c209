using Microsoft.Extensions.FileProviders;

namespace Distributed.Gateway.WebPage;

public static class WebPageExtensions
{
    /// <summary>
    /// The chat page at <c>/</c> (wwwroot, copied next to the gateway's assembly): static files, no build step, nothing
    /// loaded from elsewhere (the content security policy says so), served without credentials; the page itself signs
    /// in against the API.
    /// </summary>
    public static IApplicationBuilder UseWebPage(this IApplicationBuilder app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(root))
        {
            return app;
        }

        var files = new PhysicalFileProvider(root);
        return app
            .UseDefaultFiles(new DefaultFilesOptions { FileProvider = files })
            .UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = context =>
                {
                    var headers = context.Context.Response.Headers;
                    headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
                    headers.XContentTypeOptions = "nosniff";
                    headers.CacheControl = "no-cache";
                },
            });
    }
}
