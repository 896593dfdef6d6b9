class AuthMiddleware:
    categories = ["auth"]

    def __call__(self, request):
        return request
