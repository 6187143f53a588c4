// kiji: CloudFront Function (viewer request) for a site stored in a private
// S3 bucket behind CloudFront (Origin Access Control). S3's REST endpoint has
// no index documents, so folder URLs are mapped to their index.html here:
//
//   /                 -> /index.html
//   /articles/hello/  -> /articles/hello/index.html
//   /articles/hello   -> /articles/hello/index.html
//   /assets/app.css   -> unchanged (the last segment has an extension)
//   /.well-known/...  -> unchanged (files there often have no extension)
//
// Runtime: cloudfront-js-2.0. Event type: viewer request.
function handler(event) {
    var request = event.request;
    var uri = request.uri || '/';
    if (uri.indexOf('/.well-known/') === 0) {
        return request;
    }
    if (uri.charAt(uri.length - 1) === '/') {
        request.uri = uri + 'index.html';
    } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
        // No dot in the last segment: a folder named without its slash.
        request.uri = uri + '/index.html';
    }
    return request;
}
