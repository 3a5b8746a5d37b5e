using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Access;
using Storekeep.Catalog;
using Storekeep.Shared;
using Storekeep.Web.Hosting;
using Storekeep.Web.Storefront;
using Storekeep.Web.Api;

namespace Storekeep.Web.Catalog;

/// <summary>Products and categories. Reads are public and see only active products; writes need <c>catalog.write</c>.</summary>
public static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalogEndpoints(this RouteGroupBuilder api)
    {
        var products = api.MapGroup("/products").WithTags("Catalog");
        products.MapPost("", CreateProduct)
            .WithName("CreateProduct")
            .WithSummary("Create a product with its variants; the slug is generated from the title when absent.")
            .RequireAuthorization(Permissions.CatalogWrite)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(422);
        products.MapGet("", ListProducts)
            .WithName("ListProducts")
            .WithSummary("Products, newest first; q searches title, description, SKUs and barcodes. The public sees only active ones.")
            .AllowAnonymous().RequireRateLimiting(StorekeepApp.PublicRateLimit)
            .CacheOutput(StorefrontCache.PolicyName)
            .ProducesProblem(400).ProducesProblem(429);
        products.MapGet("/{idOrSlug}", GetProduct)
            .WithName("GetProduct")
            .WithSummary("One product by id or slug. Drafts and archived products are 404 to the public.")
            .AllowAnonymous().RequireRateLimiting(StorekeepApp.PublicRateLimit)
            .CacheOutput(StorefrontCache.PolicyName)
            .ProducesProblem(404).ProducesProblem(429);
        products.MapPatch("/{id}", UpdateProduct)
            .WithName("UpdateProduct")
            .WithSummary("Change any of title, slug, description, category, status; variants update by SKU and new SKUs are added.")
            .RequireAuthorization(Permissions.CatalogWrite)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        products.MapPost("/{id}/archive", ArchiveProduct)
            .WithName("ArchiveProduct")
            .WithSummary("Archive a product: it leaves the storefront and the public API.")
            .RequireAuthorization(Permissions.CatalogWrite)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        var categories = api.MapGroup("/categories").WithTags("Catalog");
        categories.MapGet("", ListCategories)
            .WithName("ListCategories")
            .WithSummary("Categories, alphabetical by slug.")
            .AllowAnonymous().RequireRateLimiting(StorekeepApp.PublicRateLimit)
            .CacheOutput(StorefrontCache.PolicyName)
            .ProducesProblem(400).ProducesProblem(429);
        categories.MapPost("", CreateCategory)
            .WithName("CreateCategory")
            .WithSummary("Create a category; the slug is generated from the name when absent.")
            .RequireAuthorization(Permissions.CatalogWrite)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        return api;
    }

    private static async Task<Created<ProductView>> CreateProduct(CreateProductRequest request, CatalogService catalog, CancellationToken ct)
    {
        var product = await catalog.CreateProductAsync(request, ct);
        return TypedResults.Created($"/api/v1/products/{product.Id}", product);
    }

    private static async Task<Ok<Page<ProductView>>> ListProducts(
        string? q, string? category, string? status, int? limit, string? cursor,
        ClaimsPrincipal user, IAuthorizationService authorization, CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(await catalog.ListProductsAsync(new ProductQuery(q, category, status, limit, cursor), await IsCatalogWriterAsync(user, authorization), ct));

    private static async Task<Ok<ProductView>> GetProduct(
        string idOrSlug, ClaimsPrincipal user, IAuthorizationService authorization, CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(await catalog.GetProductAsync(idOrSlug, await IsCatalogWriterAsync(user, authorization), ct));

    private static async Task<Ok<ProductView>> UpdateProduct(string id, UpdateProductRequest request, CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(await catalog.UpdateProductAsync(id, request, ct));

    private static async Task<Ok<ProductView>> ArchiveProduct(string id, CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(await catalog.ArchiveProductAsync(id, ct));

    private static async Task<Ok<Page<CategoryView>>> ListCategories(int? limit, string? cursor, CatalogService catalog, CancellationToken ct) =>
        TypedResults.Ok(await catalog.ListCategoriesAsync(limit, cursor, ct));

    private static async Task<Created<CategoryView>> CreateCategory(CreateCategoryRequest request, CatalogService catalog, CancellationToken ct)
    {
        var category = await catalog.CreateCategoryAsync(request, ct);
        return TypedResults.Created((string?)null, category);
    }

    /// <summary>Writers see drafts, archived products and costs; everyone else only what is for sale.</summary>
    private static async Task<bool> IsCatalogWriterAsync(ClaimsPrincipal user, IAuthorizationService authorization) =>
        user.Identity?.IsAuthenticated == true && (await authorization.AuthorizeAsync(user, Permissions.CatalogWrite)).Succeeded;
}
